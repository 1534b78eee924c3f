/**
 * Server reflection (grpcurl, Postman, grpcui discover the API without a local copy of the protos).
 * Descriptors come from the .proto files the server ships with, loaded at runtime by proto-loader.
 */
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { billingProtoDir, billingProtoFile, healthProtoFile, healthProtoRoot, protoLoaderOptions } from './proto-files.js';

export function createReflectionService(): ReflectionService {
  const definition = protoLoader.loadSync([billingProtoFile, healthProtoFile], {
    ...protoLoaderOptions,
    includeDirs: [billingProtoDir, healthProtoRoot],
  });
  return new ReflectionService(definition);
}
