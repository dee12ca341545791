    .section .rodata
    .globl  greeting, greeting_len
greeting:
    .asciz  "hi from data.S"
    .balign 4
greeting_len:
    .word   greeting_len - greeting
    .data
    .globl  shared_counter
shared_counter:
    .word   41
    .word   helper, finish, greeting + 3
