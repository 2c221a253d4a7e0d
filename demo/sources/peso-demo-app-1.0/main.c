#include <stdio.h>
#include "pesodemo.h"

int main(void) {
    printf("pesoapp says %d\n", pesodemo_answer());
    return 0;
}
