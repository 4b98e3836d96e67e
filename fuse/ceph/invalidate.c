/*
 * fuse/ceph/invalidate.c: the kernel's caches dropped when a cap they rest
 * on goes. The MDS client asks on its loop thread (mdsc_loop_set_invalidate),
 * where the work cannot run: dropping a file's pages waits for the page
 * locks a FUSE read holds, and that read may be waiting on the same loop.
 * So requests queue here and one thread of ours does them in order, then
 * tells the MDS client (mdsc_loop_caps_invalidated) that a revoke's ack
 * may go.
 *
 * Trade-off: one thread, so a drop stuck behind a long read delays the
 * ones after it; the MDS client bounds how long an ack waits
 * (MDSC_INVAL_WAIT_MS) either way.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "fuse/ceph/front.h"

struct inval {
	uint64_t ino, token;
	unsigned what;
	struct inval *next;
};

struct cephfs_inval {
	struct cephfs_front *f;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct inval *head, *tail;
	bool stop;
	pthread_t thread;
	uint64_t done;
};

static void *worker(void *arg)
{
	struct cephfs_inval *q = arg;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		struct inval *v;
		while (!q->head && !q->stop)
			pthread_cond_wait(&q->cond, &q->lock);
		if (!q->head)
			break;
		v = q->head;
		q->head = v->next;
		if (!q->head)
			q->tail = NULL;
		pthread_mutex_unlock(&q->lock);
		/* pages (and attributes with them), or attributes only */
		nf_notify_inval_inode(q->f->mount, &(struct nf_key){0, v->ino}, v->what & MDSC_INVAL_PAGES ? 0 : -1, 0);
		if (v->token)
			mdsc_loop_caps_invalidated(q->f->mdsc, v->ino, v->token);
		free(v);
		pthread_mutex_lock(&q->lock);
		q->done++;
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

void cephfs_invalidate(void *arg, uint64_t ino, unsigned what, uint64_t token)
{
	struct cephfs_inval *q = arg;
	struct inval *v = malloc(sizeof(*v));

	if (!v)
		return; /* the ack goes at its deadline; the kernel's attributes time out */
	*v = (struct inval){.ino = ino, .token = token, .what = what};
	pthread_mutex_lock(&q->lock);
	if (q->stop) {
		free(v);
	} else {
		if (q->tail)
			q->tail->next = v;
		else
			q->head = v;
		q->tail = v;
		pthread_cond_signal(&q->cond);
	}
	pthread_mutex_unlock(&q->lock);
}

int cephfs_inval_start(struct cephfs_front *f)
{
	struct cephfs_inval *q = calloc(1, sizeof(*q));

	if (!q)
		return -ENOMEM;
	q->f = f;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cond, NULL);
	if (pthread_create(&q->thread, NULL, worker, q)) {
		pthread_mutex_destroy(&q->lock);
		pthread_cond_destroy(&q->cond);
		free(q);
		return -EAGAIN;
	}
	f->inval = q;
	mdsc_loop_set_invalidate(f->mdsc, cephfs_invalidate, q);
	return 0;
}

void cephfs_inval_stop(struct cephfs_front *f)
{
	struct cephfs_inval *q = f->inval;

	if (!q)
		return;
	mdsc_loop_set_invalidate(f->mdsc, NULL, NULL);
	pthread_mutex_lock(&q->lock);
	q->stop = true;
	while (q->head) { /* the kernel goes with the mount: nothing to drop */
		struct inval *v = q->head;
		q->head = v->next;
		free(v);
	}
	q->tail = NULL;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->cond);
	free(q);
	f->inval = NULL;
}
