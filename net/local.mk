# net/: small socket-address helpers that more than one protocol directory needs.
noinst_HEADERS += net/sockaddr.h
