"""google-auth against a metadata server, as the interop test runs it.

    GCE_METADATA_HOST=127.0.0.1:PORT GCE_METADATA_IP=127.0.0.1:PORT HOME=<empty> \
        interop/.venv/bin/python interop/google_auth_mds.py AUDIENCE SCOPE...

Finds Application Default Credentials (google.auth.default), gets an
access token for SCOPE... and an ID token for AUDIENCE from the metadata
server, and prints one JSON object describing them (the tokens by length
only). The requests it sends are what tests/interop/google_auth.rs
compares with the crate's.
"""

import json
import sys

import google.auth
from google.auth import compute_engine
from google.auth.transport.requests import Request


def main():
    audience, *scopes = sys.argv[1:]
    request = Request()
    credentials, project = google.auth.default(scopes=scopes, request=request)
    credentials.refresh(request)
    # No request here: with one, the constructor reads the account's info
    # (?recursive=true) again, for an email the identity endpoint does not
    # need.
    id_credentials = compute_engine.IDTokenCredentials(
        None, target_audience=audience, use_metadata_identity_endpoint=True
    )
    id_credentials.refresh(request)
    print(
        json.dumps(
            {
                "credentials": type(credentials).__module__,
                "project": project,
                "token_length": len(credentials.token),
                "id_token_length": len(id_credentials.token),
            }
        )
    )


if __name__ == "__main__":
    main()
