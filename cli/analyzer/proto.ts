/**
 * The analyzer protocol as the engine speaks it: the generated messages and client from
 * @pulumi/pulumi/proto, plus the protobuf well-known types *from the same module copy* that the
 * generated code uses. @pulumi/pulumi carries its own nested google-protobuf (3.x) while the root
 * has 4.x, so `Struct`/`Empty` are loaded next to analyzer_pb, never from the root.
 */
import { createRequire } from "module";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as analyzerPbTypes from "@pulumi/pulumi/proto/analyzer_pb";
import type * as analyzerGrpcTypes from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import type * as structPbTypes from "google-protobuf/google/protobuf/struct_pb";
import type * as emptyPbTypes from "google-protobuf/google/protobuf/empty_pb";

const analyzerPbPath = require.resolve("@pulumi/pulumi/proto/analyzer_pb");
const fromProto = createRequire(analyzerPbPath);

export const pb: typeof analyzerPbTypes = fromProto("./analyzer_pb");
export const rpc: typeof analyzerGrpcTypes = fromProto("./analyzer_grpc_pb");
/** The grpc-js instance the generated client was built with. */
export const grpc: typeof grpcTypes = fromProto("@grpc/grpc-js");
export const structPb: typeof structPbTypes = fromProto("google-protobuf/google/protobuf/struct_pb");
export const emptyPb: typeof emptyPbTypes = fromProto("google-protobuf/google/protobuf/empty_pb");

export type AnalyzerClient = analyzerGrpcTypes.AnalyzerClient;
export type ServiceError = grpcTypes.ServiceError;

/**
 * The @pulumi/policy server accepts requests up to 400 MB (server.js maxRPCMessageSize) and the
 * engine dials with MaxCallRecvMsgSize 400 MB (sdk/go/common/util/rpcutil/serve.go), and no send
 * limit. Mirror both so a 20k-resource AnalyzeStack goes through.
 */
export const MAX_RPC_MESSAGE_SIZE = 1024 * 1024 * 400;

export function newAnalyzerClient(address: string): AnalyzerClient {
    return new rpc.AnalyzerClient(address, grpc.credentials.createInsecure(), {
        "grpc.max_receive_message_length": MAX_RPC_MESSAGE_SIZE,
        "grpc.max_send_message_length": -1,
    });
}

/** Calls one unary method and resolves with its response. */
export function unary<Req, Res>(
    client: AnalyzerClient,
    method: keyof analyzerGrpcTypes.IAnalyzerClient,
    request: Req,
    deadlineMs?: number,
): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
        const options: Partial<grpcTypes.CallOptions> = {};
        if (deadlineMs !== undefined) {
            options.deadline = Date.now() + deadlineMs;
        }
        const fn = (client as unknown as Record<string, (...args: unknown[]) => unknown>)[method];
        fn.call(client, request, new grpc.Metadata(), options, (err: ServiceError | null, res: Res) => {
            if (err) {
                reject(err);
            } else {
                resolve(res);
            }
        });
    });
}

export function isServiceError(e: unknown): e is ServiceError {
    return typeof e === "object" && e !== null && typeof (e as ServiceError).code === "number" && "details" in (e as object);
}

export function isUnimplemented(e: unknown): boolean {
    return isServiceError(e) && e.code === grpc.status.UNIMPLEMENTED;
}
