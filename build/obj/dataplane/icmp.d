build/obj/dataplane/icmp.o: dataplane/icmp.c dataplane/csum.h \
 dataplane/dp_types.h dataplane/icmp.h dataplane/pkt.h dataplane/drop.h \
 dataplane/flow.h
dataplane/csum.h:
dataplane/dp_types.h:
dataplane/icmp.h:
dataplane/pkt.h:
dataplane/drop.h:
dataplane/flow.h:
