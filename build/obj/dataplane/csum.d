build/obj/dataplane/csum.o: dataplane/csum.c dataplane/csum.h \
 dataplane/dp_types.h
dataplane/csum.h:
dataplane/dp_types.h:
