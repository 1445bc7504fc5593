build/cli/ctrl/addr.o: ctrl/addr.c ctrl/addr.h dataplane/dp_types.h
ctrl/addr.h:
dataplane/dp_types.h:
