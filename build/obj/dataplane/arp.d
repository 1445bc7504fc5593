build/obj/dataplane/arp.o: dataplane/arp.c dataplane/arp.h \
 dataplane/pkt.h dataplane/dp_types.h dataplane/drop.h dataplane/flow.h
dataplane/arp.h:
dataplane/pkt.h:
dataplane/dp_types.h:
dataplane/drop.h:
dataplane/flow.h:
