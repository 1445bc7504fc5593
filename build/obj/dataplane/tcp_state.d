build/obj/dataplane/tcp_state.o: dataplane/tcp_state.c dataplane/pkt.h \
 dataplane/dp_types.h dataplane/drop.h dataplane/flow.h \
 dataplane/tcp_state.h dataplane/conn.h
dataplane/pkt.h:
dataplane/dp_types.h:
dataplane/drop.h:
dataplane/flow.h:
dataplane/tcp_state.h:
dataplane/conn.h:
