/* The frontend side of the split-device handshake (pvfront.h). */
#include "pvfront.h"

void pvfront_path(const struct pvfront *pf, int backend, const char *key, char out[160])
{
	ksnprintf(out, 160, "%s/%s", backend ? pf->be_dir : pf->dir, key);
}

void pvfront_write(struct pvfront *pf, const char *key, const char *value)
{
	char p[160];
	pvfront_path(pf, 0, key, p);
	if (reg_write(p, value)) panic("%s: cannot write %s", pf->name, p);
}

void pvfront_write_u32(struct pvfront *pf, const char *key, u32 value)
{
	char p[160];
	pvfront_path(pf, 0, key, p);
	if (reg_write_u32(p, value)) panic("%s: cannot write %s", pf->name, p);
}

/* Local teardown, then Initialising: set up again as soon as the backend is InitWait. */
static void disconnect(struct pvfront *pf, const char *why)
{
	pf->teardown(pf->owner, why);
	outage_begin(&pf->st->outage);
	pf->phase = PVFRONT_WAIT_BACKEND;
	pvfront_write_u32(pf, PVIO_KEY_STATE, PVIO_STATE_INITIALISING);
}

void pvfront_request_close(struct pvfront *pf, const char *why)
{
	if (pf->phase != PVFRONT_CONNECTED) return;
	kprintf("%s: %s; closing the connection\n", pf->name, why);
	pf->phase = PVFRONT_CLOSING;
	outage_begin(&pf->st->outage);
	pvfront_write_u32(pf, PVIO_KEY_STATE, PVIO_STATE_CLOSING);
}

static void on_backend_state(const char *changed, void *arg)
{
	struct pvfront *pf = arg;
	char p[160], why[64];
	(void)changed;
	pvfront_path(pf, 1, PVIO_KEY_STATE, p);
	u32 bs = reg_read_state(p);
	switch (pf->phase) {
	case PVFRONT_CONNECTED:
		if (bs == PVIO_STATE_CONNECTED) return;
		pf->st->backend_lost++;
		ksnprintf(why, sizeof(why), "backend %s", state_name(bs));
		disconnect(pf, why);
		break;
	case PVFRONT_INITIALISED:
		if (bs == PVIO_STATE_CONNECTED) {
			pf->phase = PVFRONT_CONNECTED;
			pvfront_write_u32(pf, PVIO_KEY_STATE, PVIO_STATE_CONNECTED);
			pf->st->connects++;
			if (pf->st->connects > 1) pf->st->reconnects++;
			outage_end(&pf->st->outage);
			pf->connected(pf->owner);
			return;
		}
		if (bs == PVIO_STATE_INITWAIT) return;
		disconnect(pf, "backend went away during the handshake");
		break;
	case PVFRONT_CLOSING:
		if (bs == PVIO_STATE_CONNECTED || bs == PVIO_STATE_CLOSING) return;
		disconnect(pf, "backend released the ring");
		break;
	case PVFRONT_WAIT_BACKEND:
		break;
	}
	if (pf->phase == PVFRONT_WAIT_BACKEND && bs == PVIO_STATE_INITWAIT) {
		pf->setup(pf->owner);
		pf->phase = PVFRONT_INITIALISED;
		pvfront_write_u32(pf, PVIO_KEY_STATE, PVIO_STATE_INITIALISED);
	}
}

void pvfront_start(struct pvfront *pf, const char *kind, u32 idx)
{
	char p[160];
	ksnprintf(pf->dir, sizeof(pf->dir), PVIO_REG_DEVICE_DIR_FMT, boot_info.domid, kind, idx);
	pvfront_path(pf, 0, PVIO_KEY_BACKEND, p);
	if (reg_read(p, pf->be_dir, sizeof(pf->be_dir)) <= 0) panic("%s: %s has no backend", pf->name, pf->dir);
	pvfront_path(pf, 0, PVIO_KEY_BACKEND_ID, p);
	if (reg_read_u32(p, &pf->be_domid)) panic("%s: %s has no backend-id", pf->name, pf->dir);
	pf->phase = PVFRONT_WAIT_BACKEND;
	pvfront_path(pf, 1, PVIO_KEY_STATE, p);
	if (reg_watch(p, on_backend_state, pf) < 0) panic("%s: cannot watch %s", pf->name, p);
}
