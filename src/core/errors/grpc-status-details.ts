import { Metadata } from '@grpc/grpc-js';
import * as protobuf from 'protobufjs';
import { FieldViolation } from './app-error';

/*
 * The standard rich error model: google.rpc.Status carrying a google.rpc.BadRequest, sent in the
 * `grpc-status-details-bin` trailer that grpc clients in every language know how to decode.
 */
const root = protobuf.Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
            Duration: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
          },
        },
        rpc: {
          nested: {
            Status: {
              fields: {
                code: { type: 'int32', id: 1 },
                message: { type: 'string', id: 2 },
                details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 },
              },
            },
            RetryInfo: { fields: { retry_delay: { type: 'google.protobuf.Duration', id: 1 } } },
            BadRequest: {
              fields: { field_violations: { rule: 'repeated', type: 'FieldViolation', id: 1 } },
              nested: {
                FieldViolation: {
                  fields: { field: { type: 'string', id: 1 }, description: { type: 'string', id: 2 } },
                },
              },
            },
          },
        },
      },
    },
  },
});
const StatusType = root.lookupType('google.rpc.Status');
const BadRequestType = root.lookupType('google.rpc.BadRequest');
const RetryInfoType = root.lookupType('google.rpc.RetryInfo');
const TYPE_PREFIX = 'type.googleapis.com/';

export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';

export interface StatusDetails {
  violations: FieldViolation[];
  retryAfterSeconds?: number;
}

export function encodeStatusDetails(code: number, message: string, details: StatusDetails): Buffer {
  const any: { type_url: string; value: Uint8Array }[] = [];
  if (details.violations.length > 0) {
    const badRequest = BadRequestType.fromObject({
      field_violations: details.violations.map((v) => ({ field: v.field, description: v.message })),
    });
    any.push({ type_url: `${TYPE_PREFIX}google.rpc.BadRequest`, value: BadRequestType.encode(badRequest).finish() });
  }
  if (details.retryAfterSeconds !== undefined) {
    const retryInfo = RetryInfoType.fromObject({ retry_delay: { seconds: details.retryAfterSeconds, nanos: 0 } });
    any.push({ type_url: `${TYPE_PREFIX}google.rpc.RetryInfo`, value: RetryInfoType.encode(retryInfo).finish() });
  }
  return Buffer.from(StatusType.encode(StatusType.fromObject({ code, message, details: any })).finish());
}

/** Reads the details back out of a gRPC error's trailers (for clients and tests). */
export function decodeStatusDetails(metadata: Metadata): StatusDetails {
  const result: StatusDetails = { violations: [] };
  const [raw] = metadata.get(STATUS_DETAILS_KEY);
  if (!Buffer.isBuffer(raw)) return result;
  const status = StatusType.toObject(StatusType.decode(raw)) as { details?: { type_url: string; value: Uint8Array }[] };
  for (const detail of status.details ?? []) {
    if (detail.type_url === `${TYPE_PREFIX}google.rpc.BadRequest`) {
      const decoded = BadRequestType.toObject(BadRequestType.decode(detail.value)) as {
        field_violations?: { field: string; description: string }[];
      };
      for (const v of decoded.field_violations ?? [])
        result.violations.push({ field: v.field, message: v.description });
    } else if (detail.type_url === `${TYPE_PREFIX}google.rpc.RetryInfo`) {
      const decoded = RetryInfoType.toObject(RetryInfoType.decode(detail.value), { longs: Number }) as {
        retry_delay?: { seconds?: number };
      };
      result.retryAfterSeconds = decoded.retry_delay?.seconds ?? 0;
    }
  }
  return result;
}

/** The field violations of a gRPC error, if any. */
export function decodeBadRequestDetails(metadata: Metadata): FieldViolation[] {
  return decodeStatusDetails(metadata).violations;
}
