"""Parses a Google batch answer the way google-api-python-client does, for the connector test
that checks AlmanacHTTP's MultipartBatch reads the same parts (GoogleCalendarConnectorTests).

    python batch_parse.py CONTENT_TYPE_FILE BODY_FILE

Prints a JSON list, one object per part in answer order: {"content_id", "status", "body"}. The
steps are the client's own (BatchHttpRequest._execute after the request: a FeedParser over the
Content-Type header and the body, then BatchHttpRequest._deserialize_response on each part); the
Content-ID is reported raw because the client's id mapping expects its own `<uuid + n>` form.
"""
import json
import sys
from email.parser import FeedParser

from googleapiclient.http import BatchHttpRequest

content_type = open(sys.argv[1]).read().strip()
body = open(sys.argv[2], "rb").read().decode("utf-8")
parser = FeedParser()
parser.feed("content-type: %s\r\n\r\n" % content_type + body)
message = parser.close()
if not message.is_multipart():
    sys.exit("the answer is not multipart/mixed")
batch = BatchHttpRequest(batch_uri="http://127.0.0.1/batch")
out = []
for part in message.get_payload():
    response, content = batch._deserialize_response(part.get_payload())
    out.append({"content_id": part["Content-ID"], "status": response.status, "body": content})
print(json.dumps(out))
