build/obj/dataplane/drop.o: dataplane/drop.c dataplane/drop.h
dataplane/drop.h:
