# text/: small text helpers that more than one protocol directory needs.
noinst_HEADERS += text/printable.h text/textbuf.h
