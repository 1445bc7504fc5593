build/obj/dataplane/portmap.o: dataplane/portmap.c dataplane/portmap.h \
 dataplane/dp_types.h
dataplane/portmap.h:
dataplane/dp_types.h:
