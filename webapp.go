package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"partyquiz/bot"
	"partyquiz/bot/webapp"
)

// WebappConfig is the secretaries' dashboard (a Telegram Mini App served
// by the bot; README, "The dashboard").
type WebappConfig struct {
	Listen string `toml:"listen"`  // "" = off; where the bot serves it, e.g. "127.0.0.1:8444"
	URL    string `toml:"url"`     // the public https:// address behind the reverse proxy; "" = no buttons in chat
	MaxAge string `toml:"max_age"` // the oldest Telegram login (initData) accepted, e.g. "1h"
}

// WebappMaxAge is webapp.max_age as a duration.
func (c Config) WebappMaxAge() (time.Duration, error) {
	d, err := time.ParseDuration(c.Webapp.MaxAge)
	if err != nil || d <= 0 || d > 7*24*time.Hour {
		return 0, fmt.Errorf("webapp.max_age: %q is not a duration between 1s and 168h, such as \"1h\"", c.Webapp.MaxAge)
	}
	return d, nil
}

// validateWebapp checks the dashboard's settings.
func (c Config) validateWebapp() error {
	w := c.Webapp
	if w.Listen != "" {
		if _, _, err := net.SplitHostPort(w.Listen); err != nil {
			return fmt.Errorf("webapp.listen: %q is not host:port (e.g. \"127.0.0.1:8444\")", w.Listen)
		}
	}
	if w.URL != "" {
		u, err := url.Parse(w.URL)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.Fragment != "" {
			return fmt.Errorf("webapp.url: %q must be the dashboard's public https:// address (Telegram opens Mini Apps over https only)", w.URL)
		}
		if w.Listen == "" {
			return errors.New("webapp.url: set webapp.listen too (where the bot serves the dashboard behind the proxy)")
		}
	}
	_, err := c.WebappMaxAge()
	return err
}

// serveWebapp serves the dashboard on c.Webapp.Listen and returns the
// address it listens on and a function that stops it.
func serveWebapp(c Config, b *bot.Bot, log *slog.Logger) (string, func(), error) {
	maxAge, err := c.WebappMaxAge()
	if err != nil {
		return "", nil, err
	}
	h, err := webapp.New(webapp.Options{Token: c.Telegram.Token, Service: b.Service(), Actions: b, MaxAge: maxAge, Log: log})
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", c.Webapp.Listen)
	if err != nil {
		return "", nil, fmt.Errorf("webapp.listen: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("dashboard stopped", "err", err)
		}
	}()
	stop := func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
		<-done
	}
	log.Info("dashboard listening", "addr", ln.Addr().String(), "url", c.Webapp.URL)
	return ln.Addr().String(), stop, nil
}
