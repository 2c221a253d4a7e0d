#ifndef PESODEMO_H
#define PESODEMO_H
/* Tiny demo library: integer arithmetic a test can check. */
int pesodemo_add(int a, int b);
int pesodemo_answer(void);
#endif
