package sharing_test

import (
	"bufio"
	"context"
	"errors"
	"mime"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
	"github.com/govdx/govdx/internal/sharing"
)

// fakeSMTP is a minimal SMTP server: it accepts every message and keeps it.
type fakeSMTP struct {
	l    net.Listener
	mu   sync.Mutex
	msgs []smtpMsg
}

type smtpMsg struct {
	from, to, data string
}

func startSMTP(t *testing.T) *fakeSMTP {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &fakeSMTP{l: l}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *fakeSMTP) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { _, _ = c.Write([]byte(line + "\r\n")) }
	say("220 fake ESMTP")
	var m smtpMsg
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 fake")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			m = smtpMsg{from: strings.TrimSpace(line[10:])}
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			m.to = strings.TrimSpace(line[8:])
			say("250 ok")
		case cmd == "DATA":
			say("354 go ahead")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			m.data = b.String()
			s.mu.Lock()
			s.msgs = append(s.msgs, m)
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func (s *fakeSMTP) received() []smtpMsg {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]smtpMsg(nil), s.msgs...)
}

type failingMailer struct{ calls int }

func (f *failingMailer) Send(context.Context, sharing.Mail) error {
	f.calls++
	return errors.New("relay down")
}

func TestOutboxSendsThroughSMTPAndRetries(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		r := e.mustRequest(t) // mails the provider's user
		st, err := e.store.Outbox(ctx)
		if err != nil || st.Pending != 1 || st.Sent != 0 {
			t.Fatalf("outbox %+v %v", st, err)
		}
		// The relay is down: the message stays, with a later retry.
		fm := &failingMailer{}
		if n, err := e.store.DeliverMail(ctx, fm); err != nil || n != 0 || fm.calls != 1 {
			t.Fatalf("sent %d, %v, calls %d", n, err, fm.calls)
		}
		if n, _ := e.store.DeliverMail(ctx, fm); n != 0 || fm.calls != 1 {
			t.Fatal("retried before its time")
		}
		st, _ = e.store.Outbox(ctx)
		if st.Pending != 1 || st.Failing != 1 {
			t.Fatalf("outbox after failure %+v", st)
		}
		// Later, through a real (fake) SMTP server.
		e.setNow(e.clock().Add(10 * time.Minute))
		srv := startSMTP(t)
		host, port, _ := net.SplitHostPort(srv.l.Addr().String())
		p, _ := strconv.Atoi(port)
		m, err := sharing.NewSMTPMailer(sharing.SMTPConfig{Host: host, Port: p, From: "govdx <no-reply@lgsp.example.gov.vn>"})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := e.store.DeliverMail(ctx, m); err != nil || n != 1 {
			t.Fatalf("sent %d, %v", n, err)
		}
		got := srv.received()
		if len(got) != 1 || got[0].to != "<stc@example.gov.vn>" || got[0].from != "<no-reply@lgsp.example.gov.vn>" {
			t.Fatalf("received %+v", got)
		}
		var subject string
		for _, l := range strings.Split(got[0].data, "\r\n") {
			if s, ok := strings.CutPrefix(l, "Subject: "); ok {
				subject, _ = new(mime.WordDecoder).DecodeHeader(s)
			}
		}
		if subject != "Yêu cầu kết nối mới: DN.STC.TRACUU_DN" || !strings.Contains(got[0].data, "https://lgsp.example.gov.vn/requests/"+strconv.FormatInt(r.ID, 10)) {
			t.Fatalf("subject %q data %s", subject, got[0].data)
		}
		st, _ = e.store.Outbox(ctx)
		if st.Pending != 0 || st.Sent != 1 {
			t.Fatalf("outbox after sending %+v", st)
		}
		if n, _ := e.store.DeliverMail(ctx, m); n != 0 || len(srv.received()) != 1 {
			t.Fatal("a sent message was sent again")
		}
	})
}

func TestRunDeliversInTheBackground(t *testing.T) {
	db := platformtest.OpenSQLite(t, sets())
	e := newEnv(t, db)
	srv := startSMTP(t)
	host, port, _ := net.SplitHostPort(srv.l.Addr().String())
	p, _ := strconv.Atoi(port)
	m, err := sharing.NewSMTPMailer(sharing.SMTPConfig{Host: host, Port: p, From: "no-reply@lgsp.example.gov.vn"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.store.Run(ctx, m, time.Hour, nil); close(done) }()
	e.mustRequest(t) // the commit wakes the sender at once
	deadline := time.Now().Add(5 * time.Second)
	for len(srv.received()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if len(srv.received()) != 1 {
		t.Fatalf("background sender delivered %d messages", len(srv.received()))
	}
}

func TestSMTPConfigChecks(t *testing.T) {
	if _, err := sharing.NewSMTPMailer(sharing.SMTPConfig{}); err == nil {
		t.Error("no host must be refused")
	}
	if _, err := sharing.NewSMTPMailer(sharing.SMTPConfig{Host: "mail", From: "not an address"}); err == nil {
		t.Error("a bad from address must be refused")
	}
	if (sharing.SMTPConfig{}).Enabled() {
		t.Error("an empty config is not enabled")
	}
}
