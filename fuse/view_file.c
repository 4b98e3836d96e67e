/*
 * fuse/view_file.c: the front-ends' views (struct nf_view), one kind of
 * synthetic file.
 *
 * An open renders the view once into a buffer of its own, and reads come
 * from that buffer: a reader sees one snapshot however small its reads, at
 * the price of rendering the whole text for a reader that wants a line.
 * Opens are served with direct I/O, so two opens never share stale pages.
 * stat renders too (a view's size is only known by rendering it), or, on an
 * open file (fstat), reports the size of that open's snapshot. The mtime is
 * the time of the stat: a view changes with whatever it shows, and tools that
 * compare mtimes should read it again.
 */
#include "config.h"

#include "mount_state.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* One open view: its text as of the open. */
struct view_text {
	size_t len;
	char text[];
};

/* Render into @buf of NF_VIEW_MAX bytes. */
static size_t render(struct nf_mount *m, const struct nf_view *v, char *buf)
{
	size_t n = v->render(v->core ? (void *)m : m->fs, v, buf, NF_VIEW_MAX);

	return n < NF_VIEW_MAX ? n : NF_VIEW_MAX;
}

static void view_stat(struct nf_mount *m, const struct synthetic_node *n, uint64_t fh, struct stat *st)
{
	const struct view_text *t = (const void *)(uintptr_t)fh;

	if (t) {
		st->st_size = (off_t)t->len;
	} else {
		char *buf = malloc(NF_VIEW_MAX);
		if (buf)
			st->st_size = (off_t)render(m, n->view, buf);
		free(buf);
	}
	st->st_atim.tv_sec = st->st_ctim.tv_sec = m->synth.made_at;
	st->st_mtim.tv_sec = time(NULL);
}

static int view_open(struct nf_mount *m, const struct synthetic_node *n, struct nf_open *o)
{
	struct view_text *t = malloc(sizeof(*t) + NF_VIEW_MAX), *fit;

	if (!t)
		return -ENOMEM;
	t->len = render(m, n->view, t->text);
	fit = realloc(t, sizeof(*t) + t->len); /* most views are a few hundred bytes */
	if (fit)
		t = fit;
	o->fh = (uint64_t)(uintptr_t)t;
	o->direct_io = true;
	return 0;
}

static ssize_t view_read(struct nf_mount *m, uint64_t fh, char *buf, size_t size, off_t off)
{
	const struct view_text *t = (const void *)(uintptr_t)fh;

	(void)m;
	if (!t)
		return -EBADF;
	if (off < 0 || (size_t)off >= t->len)
		return 0;
	if (size > t->len - (size_t)off)
		size = t->len - (size_t)off;
	memcpy(buf, t->text + off, size);
	return (ssize_t)size;
}

static void view_release(struct nf_mount *m, uint64_t fh)
{
	(void)m;
	free((void *)(uintptr_t)fh);
}

const struct synthetic_file view_file = {
    .stat = view_stat,
    .open = view_open,
    .read = view_read,
    .release = view_release,
};
