#!/usr/bin/python3
"""A procmatch gRPC client in Python, as an integrator would write one.

It calls the procmatch.v1.Procmatch service (`procmatch serve`,
doc/service.md) with Debian's python3-grpcio and the modules protoc makes
from proto/procmatch/v1/*.proto (bazel build //proto:service_py_gen, or
protoc --python_out --grpc_python_out; give their directory with --stubs).

  procmatch_client.py --target 127.0.0.1:50051 --ca ca.pem --token T \\
      match --tenders tenders.jsonl --top 5
  procmatch_client.py --target ... health
  procmatch_client.py --target ... reload

`match` prints one line per match: tender id, rank, supplier id, score.
Errors are printed as "procmatch_client: CODE: message" (exit 1).
"""

import argparse
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", required=True, help="HOST:PORT")
    parser.add_argument("--stubs", default=".",
                        help="directory holding procmatch/v1/*_pb2*.py")
    parser.add_argument("--ca", help="PEM CA of the server (TLS)")
    parser.add_argument("--cert", help="PEM client certificate (mTLS)")
    parser.add_argument("--key", help="PEM client key (mTLS)")
    parser.add_argument("--token", help="bearer token")
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="deadline of each call, seconds")
    commands = parser.add_subparsers(dest="command", required=True)
    match = commands.add_parser("match", help="rank suppliers for tenders")
    match.add_argument("--tenders", required=True, help="JSON Lines tenders")
    match.add_argument("--top", type=int, default=10)
    commands.add_parser("health", help="the standard gRPC health check")
    commands.add_parser("reload", help="reload the server's snapshot")
    args = parser.parse_args()

    sys.path.insert(0, args.stubs)
    import grpc
    from google.protobuf import json_format
    from procmatch.v1 import match_pb2, service_pb2, service_pb2_grpc

    if args.ca:
        def read(path):
            with open(path, "rb") as f:
                return f.read()
        credentials = grpc.ssl_channel_credentials(
            root_certificates=read(args.ca),
            private_key=read(args.key) if args.key else None,
            certificate_chain=read(args.cert) if args.cert else None)
        channel = grpc.secure_channel(args.target, credentials)
    else:
        channel = grpc.insecure_channel(args.target)
    metadata = [("authorization", "Bearer " + args.token)] if args.token else []

    try:
        if args.command == "health":
            # grpc.health.v1.Health/Check with an empty HealthCheckRequest;
            # the reply's field 1 is the status (1: SERVING).
            check = channel.unary_unary("/grpc.health.v1.Health/Check",
                                        request_serializer=lambda b: b,
                                        response_deserializer=lambda b: b)
            reply = check(b"", timeout=args.timeout)
            print("SERVING" if reply == b"\x08\x01" else "NOT_SERVING")
            return 0
        stub = service_pb2_grpc.ProcmatchStub(channel)
        if args.command == "reload":
            reply = stub.Reload(service_pb2.ReloadRequest(),
                                timeout=args.timeout, metadata=metadata)
            print("generation %d, %d suppliers" %
                  (reply.index_generation, reply.suppliers))
            return 0
        with open(args.tenders, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                request = match_pb2.MatchRequest()
                json_format.Parse(line, request.tender)
                request.options.top_k = args.top
                response = stub.Match(request, timeout=args.timeout,
                                      metadata=metadata)
                for m in response.matches:
                    print("%s\t%d\t%s\t%.6f" % (response.tender_id, m.rank,
                                                m.supplier_id, m.score))
        return 0
    except grpc.RpcError as e:
        print("procmatch_client: %s: %s" % (e.code().name, e.details()),
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
