build/cli/ctrl/sluicectl.o: ctrl/sluicectl.c dataplane/dp_types.h \
 ctrl/sluicectl.h
dataplane/dp_types.h:
ctrl/sluicectl.h:
