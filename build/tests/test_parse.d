build/tests/test_parse: tests/unit/test_parse.c tests/unit/frames.h \
 dataplane/pkt.h dataplane/dp_types.h dataplane/drop.h dataplane/flow.h
tests/unit/frames.h:
dataplane/pkt.h:
dataplane/dp_types.h:
dataplane/drop.h:
dataplane/flow.h:
