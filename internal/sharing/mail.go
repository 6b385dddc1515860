package sharing

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/platform"
)

// Mail is one e-mail message in plain text.
type Mail struct {
	To      string
	Subject string
	Body    string
}

// Mailer sends e-mail. It is the boundary to the mail system: tests use a
// fake, production SMTPMailer.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// SMTPConfig says how to reach the mail relay. With no Host, e-mail is not
// sent: messages stay in the outbox and the inbox is the channel.
type SMTPConfig struct {
	Host string
	Port int // default 587
	From string
	// User and Password authenticate with PLAIN; the password is sent only
	// over TLS (or to localhost), as net/smtp enforces.
	User     string
	Password string
}

// Enabled reports whether e-mail is configured.
func (c SMTPConfig) Enabled() bool { return c.Host != "" }

// SMTPMailer sends through an SMTP relay with net/smtp, upgrading to TLS
// with STARTTLS when the server offers it.
type SMTPMailer struct {
	cfg SMTPConfig
}

// NewSMTPMailer checks the configuration and returns a mailer.
func NewSMTPMailer(cfg SMTPConfig) (*SMTPMailer, error) {
	if cfg.Host == "" {
		return nil, errors.New("smtp: no host configured")
	}
	if cfg.Port == 0 {
		cfg.Port = 587
	}
	if _, err := mail.ParseAddress(cfg.From); err != nil {
		return nil, fmt.Errorf("smtp: from address %q: %w", cfg.From, err)
	}
	return &SMTPMailer{cfg: cfg}, nil
}

// Send delivers one message; it gives up when ctx ends.
func (m *SMTPMailer) Send(ctx context.Context, msg Mail) error {
	to, err := mail.ParseAddress(msg.To)
	if err != nil {
		return fmt.Errorf("smtp: recipient %q: %w", msg.To, err)
	}
	from, _ := mail.ParseAddress(m.cfg.From)
	addr := net.JoinHostPort(m.cfg.Host, strconv.Itoa(m.cfg.Port))
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("smtp: dial %s: %w", addr, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	} else {
		_ = conn.SetDeadline(time.Now().Add(time.Minute))
	}
	c, err := smtp.NewClient(conn, m.cfg.Host)
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: m.cfg.Host, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("smtp: starttls: %w", err)
		}
	}
	if m.cfg.User != "" {
		if err := c.Auth(smtp.PlainAuth("", m.cfg.User, m.cfg.Password, m.cfg.Host)); err != nil {
			return fmt.Errorf("smtp: auth: %w", err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("smtp: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return fmt.Errorf("smtp: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp: DATA: %w", err)
	}
	if _, err := w.Write(encodeMessage(from, to, msg, time.Now())); err != nil {
		return fmt.Errorf("smtp: write: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp: end of data: %w", err)
	}
	return c.Quit()
}

// encodeMessage renders a UTF-8 plain-text message. The subject is
// RFC 2047-encoded and stripped of line breaks, so no header can be injected.
func encodeMessage(from, to *mail.Address, msg Mail, now time.Time) []byte {
	var b bytes.Buffer
	subject := strings.Join(strings.Fields(msg.Subject), " ")
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@govdx>\r\n",
		from.String(), to.String(), mime.QEncoding.Encode("utf-8", subject), now.Format(time.RFC1123Z), strings.ToLower(platform.RandomToken(12)))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(strings.ReplaceAll(msg.Body, "\n", "\r\n")))
	_ = qp.Close()
	return b.Bytes()
}

// MailRetryMax is the longest wait between two attempts of one message.
const MailRetryMax = time.Hour

// DeliverMail sends the outbox messages that are due through m and marks
// them sent; a failure is retried later with a growing delay (1, 2, 4 ...
// minutes, at most MailRetryMax), so nothing is lost while the relay is
// down. Rows are claimed with a conditional UPDATE, so several nodes can
// run senders at once without sending a message twice.
func (s *Store) DeliverMail(ctx context.Context, m Mailer) (sent int, err error) {
	now := s.db.Now().UTC()
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, to_addr, subject, body, attempts FROM mail_outbox
		WHERE sent_at IS NULL AND next_attempt_at <= $1 ORDER BY id LIMIT 100`, now)
	if err != nil {
		return 0, fmt.Errorf("read outbox: %w", err)
	}
	type row struct {
		id       int64
		msg      Mail
		attempts int
	}
	var due []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.msg.To, &r.msg.Subject, &r.msg.Body, &r.attempts); err != nil {
			rows.Close()
			return 0, err
		}
		due = append(due, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, r := range due {
		if ctx.Err() != nil {
			return sent, ctx.Err()
		}
		claimed := false
		// Lease the row for 5 minutes so another node leaves it alone.
		err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
			res, err := tx.ExecContext(ctx, `UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = $1
				WHERE id = $2 AND sent_at IS NULL AND attempts = $3`, now.Add(5*time.Minute), r.id, r.attempts)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			claimed = n == 1
			return nil
		})
		if err != nil {
			return sent, err
		}
		if !claimed {
			continue
		}
		sctx, cancel := context.WithTimeout(ctx, time.Minute)
		sendErr := m.Send(sctx, r.msg)
		cancel()
		err = s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
			if sendErr == nil {
				_, err := tx.ExecContext(ctx, `UPDATE mail_outbox SET sent_at = $1, last_error = '' WHERE id = $2`, now, r.id)
				return err
			}
			wait := min(time.Minute<<min(r.attempts, 10), MailRetryMax)
			msg := sendErr.Error()
			if len(msg) > 500 {
				msg = msg[:500]
			}
			_, err := tx.ExecContext(ctx, `UPDATE mail_outbox SET next_attempt_at = $1, last_error = $2 WHERE id = $3`, now.Add(wait), msg, r.id)
			return err
		})
		if err != nil {
			return sent, err
		}
		if sendErr == nil {
			sent++
		}
	}
	return sent, nil
}

// OutboxStatus counts outbox messages.
type OutboxStatus struct {
	Pending int `json:"pending"`
	Sent    int `json:"sent"`
	Failing int `json:"failing"` // pending with at least one failed attempt
}

// Outbox reports the outbox counters (for operators and tests).
func (s *Store) Outbox(ctx context.Context) (OutboxStatus, error) {
	var st OutboxStatus
	err := s.db.Read.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN sent_at IS NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN sent_at IS NULL AND attempts > 0 THEN 1 ELSE 0 END), 0) FROM mail_outbox`).Scan(&st.Pending, &st.Sent, &st.Failing)
	return st, err
}

// Run does the background work until ctx ends: deadline reminders, and,
// when m is not nil, sending the outbox. It wakes every interval (default
// one minute) and at once after a change that queued mail. Errors are
// logged and retried; a panic in one round is logged and does not stop it.
func (s *Store) Run(ctx context.Context, m Mailer, interval time.Duration, log *slog.Logger) {
	if interval <= 0 {
		interval = time.Minute
	}
	if log == nil {
		log = slog.Default()
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		s.round(ctx, m, log)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.kick:
		}
	}
}

func (s *Store) round(ctx context.Context, m Mailer, log *slog.Logger) {
	defer func() {
		if v := recover(); v != nil {
			log.Error("sharing background round panicked", "panic", fmt.Sprint(v))
		}
	}()
	if n, err := s.RemindDue(ctx); err != nil && ctx.Err() == nil {
		log.Error("deadline reminders", "err", err)
	} else if n > 0 {
		log.Info("deadline reminders sent", "requests", n)
	}
	if m == nil {
		return
	}
	if n, err := s.DeliverMail(ctx, m); err != nil && ctx.Err() == nil {
		log.Error("send outbox mail", "err", err)
	} else if n > 0 {
		log.Info("mail sent", "messages", n)
	}
}
