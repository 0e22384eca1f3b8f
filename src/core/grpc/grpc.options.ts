import { GrpcOptions, Transport } from '@nestjs/microservices';
import { resolve } from 'node:path';
import { GrpcConfig } from '../config/config';

/** src/ and dist/ sit at the same depth, so this resolves from both. */
export const PROTO_ROOT = resolve(__dirname, '../../../proto');

/** Every service this process serves; a new feature adds its proto file and package here. */
export const GRPC_SERVICES = [{ package: 'user.v1', protoPath: 'user/v1/user.proto' }];

/**
 * proto-loader options shared by the server and the test clients: camelCase fields, int64 as
 * numbers, zero values present (so "" is a validation error, not a missing field), and proto3
 * `optional` fields absent unless set.
 */
export const PROTO_LOADER_OPTIONS = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: false,
  includeDirs: [PROTO_ROOT],
};

export function grpcServerOptions(config: GrpcConfig): GrpcOptions {
  return {
    transport: Transport.GRPC,
    options: {
      url: `${config.host}:${config.port}`,
      package: GRPC_SERVICES.map((s) => s.package),
      protoPath: GRPC_SERVICES.map((s) => s.protoPath),
      loader: PROTO_LOADER_OPTIONS,
      gracefulShutdown: true,
      // Oversized messages are refused by grpc-js with RESOURCE_EXHAUSTED (metadata: AppGrpcServer).
      maxReceiveMessageLength: config.maxMessageBytes,
      maxSendMessageLength: config.maxMessageBytes,
    },
  };
}
