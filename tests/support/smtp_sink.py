#!/usr/bin/python3
"""A tiny SMTP sink for rosterd's tests and demo, on Debian's python3-aiosmtpd.

usage: smtp_sink.py DIR [PORT]   (PORT 0 or absent: any free port)

Listens on 127.0.0.1, writes each accepted message to DIR/NNNNNN.eml with the envelope recipient
in an X-Sink-Rcpt header, and the port it listens on to DIR/port once it accepts connections.
Recipients listed in DIR/refuse (one per line, read at each RCPT) are refused with 550, as a
mail server refuses an unknown mailbox.
"""
import asyncio
import os
import sys

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = len([n for n in os.listdir(directory) if n.endswith(".eml")])

    def refused(self):
        try:
            with open(os.path.join(self.directory, "refuse"), encoding="utf-8") as f:
                return {line.strip().lower() for line in f if line.strip()}
        except FileNotFoundError:
            return set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refused():
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        name = os.path.join(self.directory, "%06d.eml" % self.count)
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8")
        header = ("X-Sink-Rcpt: %s\r\nX-Sink-From: %s\r\n" %
                  (",".join(envelope.rcpt_tos), envelope.mail_from)).encode("utf-8")
        with open(name + ".tmp", "wb") as f:
            f.write(header + data)
        os.rename(name + ".tmp", name)  # readers never see half a message
        return "250 Message accepted for delivery"


async def main():
    directory = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    os.makedirs(directory, exist_ok=True)
    sink = Sink(directory)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(sink, hostname="sink.test"), "127.0.0.1", port)
    bound = server.sockets[0].getsockname()[1]
    with open(os.path.join(directory, "port.tmp"), "w") as f:
        f.write(str(bound))
    os.rename(os.path.join(directory, "port.tmp"), os.path.join(directory, "port"))
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
