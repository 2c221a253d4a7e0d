#include <stdio.h>
#include "pesodemo.h"

int main(void) {
    printf("example: %d\n", pesodemo_add(2, 3));
    return pesodemo_add(2, 3) == 5 ? 0 : 1;
}
