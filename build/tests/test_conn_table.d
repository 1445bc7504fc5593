build/tests/test_conn_table: tests/unit/test_conn_table.c \
 dataplane/conn.h dataplane/dp_types.h dataplane/flow.h \
 tests/unit/frames.h dataplane/pkt.h dataplane/drop.h
dataplane/conn.h:
dataplane/dp_types.h:
dataplane/flow.h:
tests/unit/frames.h:
dataplane/pkt.h:
dataplane/drop.h:
