build/obj/dataplane/parse.o: dataplane/parse.c dataplane/csum.h \
 dataplane/dp_types.h dataplane/pkt.h dataplane/drop.h dataplane/flow.h
dataplane/csum.h:
dataplane/dp_types.h:
dataplane/pkt.h:
dataplane/drop.h:
dataplane/flow.h:
