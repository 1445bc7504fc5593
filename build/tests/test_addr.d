build/tests/test_addr: tests/unit/test_addr.c ctrl/addr.h \
 dataplane/dp_types.h
ctrl/addr.h:
dataplane/dp_types.h:
