build/obj/dataplane/snapshot.o: dataplane/snapshot.c dataplane/snapshot.h \
 dataplane/conn.h dataplane/dp_types.h dataplane/flow.h
dataplane/snapshot.h:
dataplane/conn.h:
dataplane/dp_types.h:
dataplane/flow.h:
