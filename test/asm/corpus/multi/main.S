# Program in three units: globals resolve across units, locals do not.
    .text
    .globl  _start
_start:
    la      sp, stack_top
    call    helper
    tail    finish
local:                          # the same local name exists in lib.S
    j       local
    .globl  shared_counter
    .type   shared_counter, @object
    .bss
    .balign 16
stack:
    .space  256
stack_top:
