/*
 * pvlab shared rings: the protocol core of blkif.h and netif.h
 * (docs/guests.md, "Shared rings"), in the spirit of Xen's io/ring.h but
 * written for pvlab.
 *
 * A ring lives in one page granted by the frontend:
 *
 *   offset 0   req_prod   frontend: requests published so far
 *   offset 4   req_event  backend:  "notify me when req_prod passes this"
 *   offset 8   rsp_prod   backend:  responses published so far
 *   offset 12  rsp_event  frontend: "notify me when rsp_prod passes this"
 *   offset 64  slots      a power-of-two number of fixed-size slots; a
 *                         request and its response share a slot
 *
 * Indices are free-running 32-bit counters; slot = index & (slots - 1).
 * Each side keeps its private counters (req_prod_pvt/rsp_cons on the
 * frontend, req_cons/rsp_prod_pvt on the backend) and only publishes them.
 * Notification only when needed: a producer notifies the consumer when the
 * published index passes the consumer's *_event; a consumer that runs out
 * of work sets *_event = cons + 1 and looks once more before sleeping.
 * The frontend never has more requests outstanding than there are slots, so
 * a response never overwrites a request not yet taken.
 */
#ifndef PVLAB_PVRING_H
#define PVLAB_PVRING_H

#define PVRING_HEADER_BYTES 64

struct pvring_header {
	unsigned int req_prod;
	unsigned int req_event;
	unsigned int rsp_prod;
	unsigned int rsp_event;
	unsigned char _pad[PVRING_HEADER_BYTES - 16];
};
_Static_assert(sizeof(struct pvring_header) == PVRING_HEADER_BYTES, "pvring header layout");

#define pvring_fence_rw() __asm__ __volatile__("fence rw, rw" ::: "memory")
#define pvring_fence_w() __asm__ __volatile__("fence w, w" ::: "memory")
#define pvring_fence_r() __asm__ __volatile__("fence r, r" ::: "memory")

/* Frontend, before granting the page: an empty ring, both sides asking for the first notification. */
static inline void pvring_init(volatile struct pvring_header *h)
{
	h->req_prod = 0;
	h->rsp_prod = 0;
	h->req_event = 1;
	h->rsp_event = 1;
	pvring_fence_rw();
}

/* Publishes requests up to `prod`; nonzero when the backend must be notified. */
static inline int pvring_push_requests(volatile struct pvring_header *h, unsigned int prod)
{
	unsigned int old = h->req_prod;
	pvring_fence_w(); /* slot contents before the index */
	h->req_prod = prod;
	pvring_fence_rw(); /* the index before reading req_event */
	return (unsigned int)(prod - h->req_event) < (unsigned int)(prod - old);
}

/* Publishes responses up to `prod`; nonzero when the frontend must be notified. */
static inline int pvring_push_responses(volatile struct pvring_header *h, unsigned int prod)
{
	unsigned int old = h->rsp_prod;
	pvring_fence_w();
	h->rsp_prod = prod;
	pvring_fence_rw();
	return (unsigned int)(prod - h->rsp_event) < (unsigned int)(prod - old);
}

/* Requests published and not yet consumed (slot contents are readable after this). */
static inline unsigned int pvring_requests(volatile struct pvring_header *h, unsigned int req_cons)
{
	unsigned int p = h->req_prod;
	pvring_fence_r();
	return p - req_cons;
}

/* Responses published and not yet consumed. */
static inline unsigned int pvring_responses(volatile struct pvring_header *h, unsigned int rsp_cons)
{
	unsigned int p = h->rsp_prod;
	pvring_fence_r();
	return p - rsp_cons;
}

/* Backend out of requests: ask for a notification at the next one, then look again. */
static inline unsigned int pvring_final_check_requests(volatile struct pvring_header *h, unsigned int req_cons)
{
	unsigned int n = pvring_requests(h, req_cons);
	if (n) return n;
	h->req_event = req_cons + 1;
	pvring_fence_rw();
	return pvring_requests(h, req_cons);
}

/* Frontend out of responses: ask for a notification at the next one, then look again. */
static inline unsigned int pvring_final_check_responses(volatile struct pvring_header *h, unsigned int rsp_cons)
{
	unsigned int n = pvring_responses(h, rsp_cons);
	if (n) return n;
	h->rsp_event = rsp_cons + 1;
	pvring_fence_rw();
	return pvring_responses(h, rsp_cons);
}
#endif
