package gateway

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics of the data plane. Calls and errors are labelled by service and
// consumer organisation; latency histograms by service only, because a
// histogram per (service, consumer) pair would multiply the series by the
// number of buckets for every connection account.
type metrics struct {
	calls      *prometheus.CounterVec   // service, consumer
	errors     *prometheus.CounterVec   // service, consumer, code
	duration   *prometheus.HistogramVec // service
	upstream   *prometheus.HistogramVec // service
	logAppend  prometheus.Histogram
	inFlight   prometheus.Gauge
	reloads    *prometheus.CounterVec // result
	generation prometheus.Gauge
	services   prometheus.Gauge
	accounts   prometheus.Gauge
}

// latencyBuckets span 250 µs to 30 s: gateway overhead is sub-millisecond,
// upstream timeouts are tens of seconds.
var latencyBuckets = []float64{.00025, .0005, .001, .002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "govdx_gateway_calls_total",
			Help: "Gateway calls by service identifier and consumer organisation id, served or refused."}, []string{"service", "consumer"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "govdx_gateway_errors_total",
			Help: "Gateway calls refused or answered with an error, by refusal code or upstream status class."}, []string{"service", "consumer", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "govdx_gateway_call_duration_seconds",
			Help: "Time from request to response release, log append included.", Buckets: latencyBuckets}, []string{"service"}),
		upstream: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "govdx_gateway_upstream_duration_seconds",
			Help: "Time spent waiting for the provider or peer, body included.", Buckets: latencyBuckets}, []string{"service"}),
		logAppend: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "govdx_gateway_log_append_duration_seconds",
			Help: "Time until a sharing-log entry is durable (group commit).", Buckets: latencyBuckets}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "govdx_gateway_in_flight_calls",
			Help: "Calls being served."}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "govdx_gateway_config_reloads_total",
			Help: "Configuration reloads by result."}, []string{"result"}),
		generation: prometheus.NewGauge(prometheus.GaugeOpts{Name: "govdx_gateway_config_generation",
			Help: "Generation of the configuration snapshot in force."}),
		services: prometheus.NewGauge(prometheus.GaugeOpts{Name: "govdx_gateway_services",
			Help: "Published services in the configuration snapshot."}),
		accounts: prometheus.NewGauge(prometheus.GaugeOpts{Name: "govdx_gateway_accounts",
			Help: "Connection accounts in the configuration snapshot."}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.calls, m.errors, m.duration, m.upstream, m.logAppend, m.inFlight,
		m.reloads, m.generation, m.services, m.accounts} {
		if err := reg.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if errors.As(err, &are) {
				return nil, errors.New("gateway: metrics already registered (one Gateway per registry)")
			}
			return nil, err
		}
	}
	return m, nil
}

// forService returns the cached label children of a service.
func (m *metrics) forService(sv *service) *serviceMetrics {
	if sm := sv.metrics.Load(); sm != nil {
		return sm
	}
	sm := &serviceMetrics{duration: m.duration.WithLabelValues(sv.Identifier), upstream: m.upstream.WithLabelValues(sv.Identifier)}
	sv.metrics.Store(sm)
	return sm
}

// forAccount returns the cached calls counter of an account.
func (m *metrics) forAccount(a *account) *accountMetrics {
	if am := a.metrics.Load(); am != nil {
		return am
	}
	am := &accountMetrics{calls: m.calls.WithLabelValues(a.svc.Identifier, a.consumer)}
	a.metrics.Store(am)
	return am
}
