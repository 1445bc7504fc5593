build/cli/ctrl/sluicectl_io.o: ctrl/sluicectl_io.c ctrl/sluicectl.h
ctrl/sluicectl.h:
