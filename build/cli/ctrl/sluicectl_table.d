build/cli/ctrl/sluicectl_table.o: ctrl/sluicectl_table.c ctrl/sluicectl.h
ctrl/sluicectl.h:
