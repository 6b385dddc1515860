package gateway_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/gateway"
)

// testCA issues certificates for the mTLS test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "govdx test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key}
}

func (ca *testCA) issue(t *testing.T, serial int64, name string, server bool) tls.Certificate {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func fingerprint(c tls.Certificate) string {
	sum := sha256.Sum256(c.Certificate[0])
	return hex.EncodeToString(sum[:])
}

func TestMutualTLS(t *testing.T) {
	ca := newTestCA(t)
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	agency, other := ca.issue(t, 2, "agency", false), ca.issue(t, 3, "other", false)
	up := httptest.NewServer(testUpstream())
	defer up.Close()
	cfg := &gateway.Config{
		Services: []gateway.Service{{ID: 1, Identifier: "dkkd", UpstreamURL: up.URL + "/dkkd", Status: gateway.ServicePublished}},
		Accounts: []gateway.Account{
			{ID: 1, CertFingerprint: fingerprint(agency), ConsumerOrgID: 10, ServiceID: 1, Status: gateway.AccountActive},
			{ID: 2, KeyHash: hashKey("gdxk_both"), CertFingerprint: fingerprint(agency), ConsumerOrgID: 11, ServiceID: 1, Status: gateway.AccountActive},
		},
	}
	tg := startGateway(t, cfg, gateway.Options{TLS: &tls.Config{Certificates: []tls.Certificate{ca.issue(t, 4, "gateway", true)},
		ClientCAs: pool, ClientAuth: tls.VerifyClientCertIfGiven, MinVersion: tls.VersionTLS12}})
	url := "https://" + tg.Addr + "/s/dkkd/doanh-nghiep/0101234567"
	client := func(cert *tls.Certificate) *http.Client {
		c := &tls.Config{RootCAs: pool}
		if cert != nil {
			c.Certificates = []tls.Certificate{*cert}
		}
		return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: c}}
	}
	tests := []struct {
		name    string
		cert    *tls.Certificate
		key     string
		status  int
		account int64
	}{
		{"certificate alone", &agency, "", 200, 1},
		{"key and its certificate", &agency, "gdxk_both", 200, 2},
		{"key without the certificate", nil, "gdxk_both", 401, 2},
		{"key with another certificate", &other, "gdxk_both", 401, 2},
		{"unknown certificate", &other, "", 401, 0},
		{"nothing", nil, "", 401, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", url, nil)
			if tc.key != "" {
				req.Header.Set("X-Api-Key", tc.key)
			}
			resp, err := client(tc.cert).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			e := tg.log.byCorrelation(resp.Header.Get("X-Correlation-Id"))
			if len(e) != 1 || e[0].AccountID != tc.account {
				t.Fatalf("logged %+v", e)
			}
		})
	}
}
