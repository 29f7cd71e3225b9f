# An S3-compatible server for the tests: moto's, one request at a time.
# moto checks a PUT's If-None-Match and then writes, in two steps; with one request at a time the
# conditional create is atomic, as it is in S3 (where of two concurrent creators exactly one wins).
# Usage: python3 moto_s3_server.py PORT
import sys

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple

run_simple("127.0.0.1", int(sys.argv[1]), DomainDispatcherApplication(create_backend_app), threaded=False)
