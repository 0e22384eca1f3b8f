import { isSpanContextValid, trace } from '@opentelemetry/api';

/**
 * The active trace and span ids, for every log line written while a traced request is being
 * handled (a pino mixin). Empty when tracing is off or nothing is traced: no span is active then.
 */
export function traceFields(): Record<string, string> {
  const context = trace.getActiveSpan()?.spanContext();
  if (!context || !isSpanContextValid(context)) return {};
  return {
    trace_id: context.traceId,
    span_id: context.spanId,
    trace_flags: `0${context.traceFlags.toString(16)}`,
  };
}
