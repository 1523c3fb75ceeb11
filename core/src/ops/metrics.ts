import client from 'prom-client';

/** Prometheus metrics for one server (its own registry, so several servers in one test process do not clash). */
export class Metrics {
  readonly registry = new client.Registry();
  readonly httpDuration = new client.Histogram({ name: 'charla_http_request_duration_seconds', help: 'HTTP request duration', labelNames: ['method', 'route', 'status'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [this.registry] });
  readonly httpErrors = new client.Counter({ name: 'charla_http_errors_total', help: 'HTTP responses with status >= 500', labelNames: ['route'], registers: [this.registry] });
  readonly sockets = new client.Gauge({ name: 'charla_realtime_sockets', help: 'Open realtime sockets on this instance', labelNames: ['kind'], registers: [this.registry] });
  readonly framesIn = new client.Counter({ name: 'charla_realtime_frames_in_total', help: 'Frames received', registers: [this.registry] });
  readonly eventsOut = new client.Counter({ name: 'charla_realtime_events_out_total', help: 'Events delivered to sockets', registers: [this.registry] });
  readonly jobs = new client.Gauge({ name: 'charla_jobs', help: 'Jobs by status', labelNames: ['status'], registers: [this.registry] });

  constructor() {
    client.collectDefaultMetrics({ register: this.registry, prefix: 'charla_' });
  }
}
