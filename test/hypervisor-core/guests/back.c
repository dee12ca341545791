/*
 * Test backend (driver VM): the handshake of docs/abi.md, then serves the
 * ring: PING (arg + 1), PATTERN (writes a pattern into the response, through
 * the grant window), SUM (maps a read-only data grant, sums it, checks that a
 * store into it faults, unmaps it).
 */
#include "ring.h"

static u32 boots;                 /* .bss: 0 in the initial image */
static u32 marker = 0x1234;       /* .data: changed at run time; a restart must bring back 0x1234 */
static volatile u32 store_faults;
static char fe_state[96], my_state[96], buf[96];
static u32 fe, my_port, connected;
static volatile struct ring *ring;

static int on_trap(struct trap_frame *f, u32 cause, u32 stval)
{
	(void)f;
	if (cause == 7 && stval >= PVIO_GRANT_WINDOW_BASE && stval < PVIO_GRANT_WINDOW_BASE + 2 * PVIO_PAGE_SIZE) {
		store_faults++;
		return 1;
	}
	return 0;
}

static u32 sum_grant(u32 gref)
{
	struct sbiret m = pvio_grant_map(fe, gref, 1, 0);
	if (m.error) return 0xffffffffu;
	volatile u32 *p = (volatile u32 *)m.value;
	u32 s = 0;
	for (int i = 0; i < 1024; i++) s += p[i];
	u32 before = store_faults;
	p[0] = 0xdead;            /* read-only mapping: must fault */
	if (store_faults != before + 1) s ^= 0x80000000u;
	pvio_grant_unmap(1);
	return s;
}

static void serve(void)
{
	u32 prod = ring->req_prod, cons = ring->rsp_prod;
	__sync_synchronize();
	while (cons != prod) {
		volatile struct slot *sl = &ring->slots[cons % RING_SLOTS];
		u32 op = sl->op, arg = sl->arg, value = 0, status = 0;
		if (op == OP_PING) value = arg + 1;
		else if (op == OP_PATTERN) {
			for (int i = 0; i < 13; i++) sl->data[i] = PATTERN(i);
			value = 13;
		} else if (op == OP_SUM) value = sum_grant(arg);
		else status = 1;
		sl->op = status;
		sl->arg = value;
		cons++;
		__sync_synchronize();
		ring->rsp_prod = cons;
	}
	pvio_evtchn_send(my_port);
}

static void disconnect(void)
{
	pvio_grant_unmap(0);
	pvio_evtchn_close(my_port);
	connected = 0;
	reg_write_u32(my_state, PVIO_STATE_INITWAIT);
	puts("back: frontend gone, waiting again\n");
}

static void handshake(void)
{
	long fs = reg_read_u32(fe_state);
	/* Watch events coalesce: a frontend at Initialised while we are connected has set up a new ring. */
	if (connected && fs == PVIO_STATE_INITIALISED) disconnect();
	if (!connected && fs == PVIO_STATE_INITIALISED) {
		long ref = reg_read_u32(cat3(buf, "/vm/", u32_to_str(buf + 60, fe), "/device/blk/0/ring-ref"));
		long port = reg_read_u32(cat3(buf, "/vm/", u32_to_str(buf + 60, fe), "/device/blk/0/event-channel"));
		struct sbiret m = pvio_grant_map(fe, (u32)ref, 0, 1);
		struct sbiret b = pvio_evtchn_bind_interdomain(fe, (u32)port);
		if (m.error || b.error) panic("back: cannot connect");
		ring = (volatile struct ring *)m.value;
		my_port = (u32)b.value;
		connected = 1;
		reg_write_u32(my_state, PVIO_STATE_CONNECTED);
		puts("back: connected\n");
	} else if (connected && (fs == PVIO_STATE_CLOSED || fs == PVIO_STATE_INITIALISING || fs < 0)) {
		disconnect();
	}
}

void guest_main(void)
{
	pvrt_init();
	trap_hook = on_trap;
	boots++;
	puts("back: boot ");
	put_dec(boots);
	puts(" marker ");
	put_hex(marker);
	putc('\n');
	marker = 0x5678;

	/* Find the frontend: the one entry under backend/blk. */
	char names[32];
	struct sbiret l = pvio_reg_list((unsigned long)"backend/blk", 11, (unsigned long)names, sizeof names);
	if (l.error || l.value == 0) panic("back: no frontend");
	fe = 0;
	for (char *p = names; *p; p++) fe = fe * 10 + (u32)(*p - '0');
	char fe_dir[48];
	cat3(my_state, "backend/blk/", u32_to_str(buf, fe), "/0/state");
	reg_read_str(cat3(buf, "backend/blk/", u32_to_str(buf + 80, fe), "/0/frontend"), fe_dir, sizeof fe_dir);
	cat3(fe_state, fe_dir, "/state", "");
#ifdef HANG_AT_BOOT
	for (;;) ; /* a driver stuck before its handshake: only the boot deadline catches it */
#endif
	if (reg_write_u32(my_state, PVIO_STATE_INITWAIT)) panic("back: cannot write state");
	if (reg_watch(fe_state, 2)) panic("back: cannot watch");
	for (;;) {
		u32 pend = wait_events();
		if (pend & (1u << PVIO_EVTCHN_PORT_WATCH)) {
			drain_watches();
			handshake();
		}
		if (connected && (pend & (1u << my_port))) serve();
	}
}
