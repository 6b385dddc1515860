//go:build screens

package oversight_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestScreens(t *testing.T) {
	base := "http://127.0.0.1:18186"
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.NoSandbox, chromedp.WindowSize(1280, 2600))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	user := os.Getenv("SHOT_USER")
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/login"), chromedp.WaitVisible("#username"),
		chromedp.SendKeys("#username", user), chromedp.SendKeys("#password", "govdx-demo-2026"), chromedp.Submit("#password"),
		chromedp.WaitVisible(".who")); err != nil {
		t.Fatal(err)
	}
	for name, path := range map[string]string{"agreement": "/agreements/1", "calendar": "/calendar", "obstacle": os.Getenv("SHOT_OBSTACLE"),
		"suspnew": "/suspensions/new", "quality": "/quality-reviews", "diff": "/agreements/1/diff", "obstacles": "/obstacles"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+path), chromedp.WaitVisible("main")); err != nil {
			t.Fatal(err)
		}
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile("/tmp/shots/"+user+"-"+name+".png", buf, 0o644)
	}
}
