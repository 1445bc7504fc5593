build/tests/test_csum: tests/unit/test_csum.c dataplane/csum.h \
 dataplane/dp_types.h tests/unit/frames.h dataplane/pkt.h \
 dataplane/drop.h dataplane/flow.h
dataplane/csum.h:
dataplane/dp_types.h:
tests/unit/frames.h:
dataplane/pkt.h:
dataplane/drop.h:
dataplane/flow.h:
