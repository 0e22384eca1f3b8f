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
          nested: { Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } } },
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

export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';

export function encodeBadRequestDetails(code: number, message: string, violations: FieldViolation[]): Buffer {
  const badRequest = BadRequestType.encode(
    BadRequestType.fromObject({
      field_violations: violations.map((v) => ({ field: v.field, description: v.message })),
    }),
  ).finish();
  const status = StatusType.fromObject({
    code,
    message,
    details: [{ type_url: 'type.googleapis.com/google.rpc.BadRequest', value: badRequest }],
  });
  return Buffer.from(StatusType.encode(status).finish());
}

/** Reads the field violations back out of a gRPC error's trailers (for clients and tests). */
export function decodeBadRequestDetails(metadata: Metadata): FieldViolation[] {
  const [raw] = metadata.get(STATUS_DETAILS_KEY);
  if (!Buffer.isBuffer(raw)) return [];
  const status = StatusType.toObject(StatusType.decode(raw)) as {
    details?: { type_url: string; value: Uint8Array }[];
  };
  const violations: FieldViolation[] = [];
  for (const detail of status.details ?? []) {
    if (!detail.type_url.endsWith('google.rpc.BadRequest')) continue;
    const decoded = BadRequestType.toObject(BadRequestType.decode(detail.value)) as {
      field_violations?: { field: string; description: string }[];
    };
    for (const v of decoded.field_violations ?? []) violations.push({ field: v.field, message: v.description });
  }
  return violations;
}
