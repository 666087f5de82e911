#!/usr/bin/env python3
"""Minimal XMPP client for checking a benchmark peer (ejabberd, Prosody): standard library only.

Two accounts log in over TLS 1.3 (direct TLS, XEP-0368, or STARTTLS, RFC 6120 section 5), authenticate with
SASL PLAIN, bind a resource and send initial presence; then the first sends messages to the second's bare JID and the
second waits for each. With -v everything on the wire is printed as it is sent or received (C: sent, S: received, after TLS), which is the exact flow a
load-generator adapter has to speak:

  C: <stream:stream to='localhost' version='1.0' xmlns='jabber:client' xmlns:stream='...'>
  S: <stream:features><starttls .../></stream:features>                  (STARTTLS port only)
  C: <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>   S: <proceed/>  then the TLS handshake, a new stream
  S: <stream:features><mechanisms><mechanism>PLAIN</mechanism>...</mechanisms></stream:features>
  C: <auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>base64(NUL user NUL password)</auth>
  S: <success/>                                                           then a new stream, no new TLS
  S: <stream:features><bind/>...</stream:features>
  C: <iq type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>..</resource></bind></iq>
  S: <iq type='result' id='bind1'><bind><jid>user1@localhost/..</jid></bind></iq>
  C: <presence/>                                                          (so messages to the bare JID are delivered)
  C: <message to='user1@localhost' type='chat' id='m0'><body>..</body></message>   S (to user1): the same message

Exit status 0 when every message arrived, 1 otherwise. Example:
  bench/peers/xmpp_smoke.py --port 5223 --tls direct --cafile /tmp/parley-peers/ejabberd/tls/cert.pem -v
"""

import argparse
import base64
import socket
import ssl
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

NS_STREAM = "http://etherx.jabber.org/streams"
NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls"
NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl"
NS_BIND = "urn:ietf:params:xml:ns:xmpp-bind"
NS_SESSION = "urn:ietf:params:xml:ns:xmpp-session"
NS_CLIENT = "jabber:client"


class XmppError(Exception):
    pass


class Client:
    """One XMPP client connection, blocking, with a deadline on every read."""

    def __init__(self, args, user):
        self.args = args
        self.user = user
        self.verbose = args.verbose
        self.sock = None
        self.parser = None
        self.depth = 0
        self.pending = []
        self.tls_info = ""

    # --- wire -----------------------------------------------------------------------------------------------
    def log(self, direction, text):
        if self.verbose:
            print(f"{self.user} {direction}: {text}", flush=True)

    def send(self, text):
        self.log("C", text)
        self.sock.sendall(text.encode("utf-8"))

    def new_stream(self):
        self.parser = ET.XMLPullParser(events=("start", "end"))
        self.depth = 0
        self.pending = []
        self.send(
            f"<?xml version='1.0'?><stream:stream to={quoteattr(self.args.domain)} version='1.0' "
            f"xmlns='{NS_CLIENT}' xmlns:stream='{NS_STREAM}'>"
        )

    def read_element(self, timeout=None):
        """Returns the next complete child of the stream root (a stanza, features, SASL or TLS element)."""
        deadline = time.monotonic() + (timeout if timeout is not None else self.args.timeout)
        while True:
            if self.pending:
                el = self.pending.pop(0)
                if el.tag == f"{{{NS_STREAM}}}error":
                    raise XmppError(f"stream error: {ET.tostring(el, encoding='unicode')}")
                return el
            left = deadline - time.monotonic()
            if left <= 0:
                raise XmppError("timed out waiting for the server")
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout as exc:
                raise XmppError("timed out waiting for the server") from exc
            if not data:
                raise XmppError("the server closed the connection")
            self.log("S", data.decode("utf-8", "replace"))
            self.parser.feed(data)
            for event, el in self.parser.read_events():
                if event == "start":
                    self.depth += 1
                else:
                    self.depth -= 1
                    if self.depth == 1:
                        self.pending.append(el)
                    elif self.depth == 0:
                        raise XmppError("the server closed the stream")

    def expect(self, tag, what):
        el = self.read_element()
        if el.tag != tag:
            raise XmppError(f"expected {what}, got {ET.tostring(el, encoding='unicode')}")
        return el

    # --- login ----------------------------------------------------------------------------------------------
    def tls_context(self):
        ctx = ssl.create_default_context(cafile=self.args.cafile)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        ctx.check_hostname = True
        return ctx

    def wrap_tls(self, raw, alpn):
        ctx = self.tls_context()
        if alpn:
            ctx.set_alpn_protocols(["xmpp-client"])
        self.sock = ctx.wrap_socket(raw, server_hostname=self.args.tls_name or self.args.domain)
        self.tls_info = f"{self.sock.version()} {self.sock.cipher()[0]}"

    def login(self):
        raw = socket.create_connection((self.args.host, self.args.port), timeout=self.args.timeout)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.args.tls == "direct":
            self.wrap_tls(raw, alpn=True)
            self.new_stream()
        else:
            self.sock = raw
            self.new_stream()
            features = self.expect(f"{{{NS_STREAM}}}features", "stream features")
            if features.find(f"{{{NS_TLS}}}starttls") is None:
                raise XmppError("the server does not offer STARTTLS")
            self.send(f"<starttls xmlns='{NS_TLS}'/>")
            self.expect(f"{{{NS_TLS}}}proceed", "<proceed/>")
            self.wrap_tls(raw, alpn=False)
            self.new_stream()

        features = self.expect(f"{{{NS_STREAM}}}features", "stream features")
        mechs = [m.text for m in features.iter(f"{{{NS_SASL}}}mechanism")]
        if "PLAIN" not in mechs:
            raise XmppError(f"SASL PLAIN not offered (offered: {mechs})")
        token = base64.b64encode(f"\0{self.user}\0{self.args.password}".encode()).decode()
        self.send(f"<auth xmlns='{NS_SASL}' mechanism='PLAIN'>{token}</auth>")
        el = self.read_element()
        if el.tag != f"{{{NS_SASL}}}success":
            raise XmppError(f"authentication failed for {self.user}: {ET.tostring(el, encoding='unicode')}")

        self.new_stream()
        features = self.expect(f"{{{NS_STREAM}}}features", "stream features after SASL")
        if features.find(f"{{{NS_BIND}}}bind") is None:
            raise XmppError("the server does not offer resource binding")
        resource = f"smoke-{uuid.uuid4().hex[:8]}"
        self.send(
            f"<iq type='set' id='bind1'><bind xmlns='{NS_BIND}'><resource>{resource}</resource></bind></iq>"
        )
        el = self.expect(f"{{{NS_CLIENT}}}iq", "the bind result")
        jid = el.find(f"{{{NS_BIND}}}bind/{{{NS_BIND}}}jid")
        if el.get("type") != "result" or jid is None:
            raise XmppError(f"bind failed: {ET.tostring(el, encoding='unicode')}")
        self.jid = jid.text
        session = features.find(f"{{{NS_SESSION}}}session")
        if session is not None and session.find(f"{{{NS_SESSION}}}optional") is None:
            self.send(f"<iq type='set' id='sess1'><session xmlns='{NS_SESSION}'/></iq>")
            self.expect(f"{{{NS_CLIENT}}}iq", "the session result")
        self.send("<presence/>")

    def close(self):
        try:
            self.send("</stream:stream>")
            self.sock.settimeout(2)
            try:
                while self.sock.recv(65536):
                    pass
            except (OSError, ssl.SSLError):
                pass
        finally:
            self.sock.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--tls", choices=("direct", "starttls"), required=True,
                    help="direct: TLS from the first byte; starttls: plain stream, then <starttls/>")
    ap.add_argument("--domain", default="localhost", help="XMPP domain (stream 'to', JIDs)")
    ap.add_argument("--cafile", required=True, help="PEM the server certificate must chain to (the self-signed cert itself)")
    ap.add_argument("--tls-name", help="name the certificate must match (default: the domain)")
    ap.add_argument("--from-user", default="user0")
    ap.add_argument("--to-user", default="user1")
    ap.add_argument("--password", default="Bench-Pass-123")
    ap.add_argument("--count", type=int, default=1, help="messages to send (default 1)")
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds any single wait may take")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every element sent and received")
    args = ap.parse_args()

    receiver = Client(args, args.to_user)
    sender = Client(args, args.from_user)
    try:
        t0 = time.monotonic()
        receiver.login()
        sender.login()
        t1 = time.monotonic()
        print(f"logged in {receiver.jid} and {sender.jid} over {sender.tls_info} ({args.tls} TLS, port {args.port}) "
              f"in {t1 - t0:.3f}s", flush=True)
        # The receiver's own presence comes back to it first (self-presence); read until the messages arrive.
        to = f"{args.to_user}@{args.domain}"
        for i in range(args.count):
            body = f"smoke {i} {'x' * 32}"
            sender.send(f"<message to={quoteattr(to)} type='chat' id='m{i}'><body>{escape(body)}</body></message>")
        got = 0
        while got < args.count:
            el = receiver.read_element()
            if el.tag == f"{{{NS_CLIENT}}}message":
                if el.get("type") == "error":
                    raise XmppError(f"message bounced: {ET.tostring(el, encoding='unicode')}")
                body = el.findtext(f"{{{NS_CLIENT}}}body")
                if body is None or not body.startswith("smoke "):
                    continue
                if el.get("from", "").split("/")[0] != f"{args.from_user}@{args.domain}":
                    raise XmppError(f"unexpected sender: {el.get('from')}")
                got += 1
        t2 = time.monotonic()
        print(f"{got}/{args.count} message(s) {args.from_user} -> {args.to_user} delivered in {t2 - t1:.3f}s", flush=True)
        sender.close()
        receiver.close()
        return 0
    except (XmppError, OSError, ssl.SSLError) as exc:
        print(f"xmpp_smoke: FAILED: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
