build/obj/dataplane/mem.o: dataplane/mem.c dataplane/mem.h
dataplane/mem.h:
