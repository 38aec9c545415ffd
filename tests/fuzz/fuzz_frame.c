/* Frames: the input is one datagram of a binding.
 *
 * First pf_decode walks it as a reader must (README "Frames": every frame
 * of a datagram, in order, until one is malformed), checking that each
 * frame it accepts lies inside the datagram and encodes back to the very
 * same bytes. Then the datagram goes to libprospero's own reader
 * (channel.c) over a real SOCK_SEQPACKET pair, with a memfd for each
 * MEMFD frame (sealed unless bit 0 of the frame's id is set, and as long
 * as its body up to 64 KiB; none from the first such frame with bit 1 of
 * its id set on; one fd more than a datagram may carry when there are
 * more such frames), and what comes back must be what the README's
 * "Malformed input" says: the good frames before the first bad one, in
 * order, and a bad_request answer exactly when that one is a call whose
 * header could be read. No fd may be left open. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ev.h>

#include "src/libprospero/channel.h"
#include "src/proto/error.h"
#include "src/proto/frame.h"
#include "src/proto/notice.h"
#include "tests/fuzz/fuzz.h"

/* The largest memfd body made for a frame; a longer one gets a memfd too
 * short for it, which the reader must refuse. */
#define BIG_BODY 65536u

/* What the walk expects the reader to do with the datagram. */
struct expect {
	unsigned frames;		/* handed to the owner, in order */
	uint64_t answer_id;		/* the call answered with bad_request, or 0 */
	int fds[PF_MAX_FDS + 1];
	unsigned nfds;
	bool fdless;			/* MEMFD frames from here on get no fd */
};

static struct {
	struct ev_loop *loop;
	struct pr_port port;		/* 128 KiB of buffers: not on the stack */
	struct pr_chan chan;
	int peer;			/* the sending end */
	const struct pf_frame *walked;	/* what the walk accepted, NWALKED of them */
	unsigned nwalked;
	unsigned got;			/* how many the reader handed on */
} rig;

/* A memfd of zeros for the MEMFD frame F, and in *USABLE whether the
 * reader must take it. */
static int make_memfd(const struct pf_frame *f, bool *usable)
{
	int fd = memfd_create("fuzz-body", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	size_t size = f->body_len <= BIG_BODY ? f->body_len : 16;
	bool sealed = !(f->id & 1);	/* a reader must refuse an unsealed one */

	if (fd < 0)
		abort();
	if (ftruncate(fd, (off_t)size) < 0 ||
	    (sealed && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0))
		abort();
	*usable = sealed && size >= f->body_len;
	return fd;
}

static bool answered(const struct pf_frame *f)
{
	return f->kind == PF_CALL && f->id != 0;
}

/* pf_decode over the datagram, as the README asks of a reader; the frames
 * it accepts into FRAMES (room for LEN / PF_HEADER of them). */
static void walk_frames(const uint8_t *data, size_t len, struct pf_frame *frames, struct expect *ex)
{
	static uint8_t again[PF_MAX_DGRAM];
	size_t off = 0;

	*ex = (struct expect){ 0 };
	while (off < len) {
		struct pf_frame f;
		const char *why = NULL;
		long used;
		bool usable = false;

		errno = 0;
		used = pf_decode(data + off, len - off, &f, &why);
		if (used < 0) {
			fz_assert(errno == EBADMSG && why);
			fz_assert(f.kind == 0 || (len - off >= PF_HEADER && data[off] == PF_MAGIC0));
			ex->answer_id = answered(&f) ? f.id : 0;
			return;
		}
		fz_assert(used >= PF_HEADER && (size_t)used <= len - off && pf_size(&f) == (size_t)used);
		fz_assert(f.method == (const char *)data + off + PF_HEADER);
		fz_assert((f.flags & PF_FLAG_MEMFD) ? !f.body : f.body == f.method + f.method_len);
		/* what the decoder accepts, the encoder writes byte for byte */
		fz_assert(pf_encode(again, sizeof again, &f) == used && memcmp(again, data + off, (size_t)used) == 0);
		if (f.flags & PF_FLAG_MEMFD) {
			ex->fdless |= (f.id & 2) != 0;
			if (!ex->fdless && ex->nfds <= PF_MAX_FDS)
				ex->fds[ex->nfds++] = make_memfd(&f, &usable);
			if (ex->fdless || ex->nfds > PF_MAX_FDS || !usable) {
				ex->answer_id = answered(&f) ? f.id : 0;
				return;
			}
		}
		frames[ex->frames++] = f;
		off += (size_t)used;
	}
}

/* The walk, then what a datagram with more fds than it may carry gets:
 * none of its frames, and an answer if its first frame is a call. */
static void walk(const uint8_t *data, size_t len, struct pf_frame *frames, struct expect *ex)
{
	struct pf_frame first;

	walk_frames(data, len, frames, ex);
	if (ex->nfds > PF_MAX_FDS) {
		pf_decode(data, len, &first, NULL);
		ex->frames = 0;
		ex->answer_id = answered(&first) ? first.id : 0;
	}
}

static void on_frame(struct pr_chan *c, const struct pf_frame *f, const void *body)
{
	const struct pf_frame *w;
	const uint8_t *b = body;

	fz_assert(rig.got < rig.nwalked);
	w = &rig.walked[rig.got++];
	fz_assert(f->kind == w->kind && f->id == w->id && f->flags == w->flags);
	fz_assert(f->method_len == w->method_len && f->body_len == w->body_len);
	fz_assert(memcmp(f->method, w->method, f->method_len) == 0);
	fz_assert(body || f->body_len == 0);
	if (!(f->flags & PF_FLAG_MEMFD) && f->body_len)
		fz_assert(memcmp(body, w->body, f->body_len) == 0);
	/* a mapped body is the memfd's content, zeros: read to its end */
	for (uint32_t i = 0; (f->flags & PF_FLAG_MEMFD) && i < f->body_len; i++)
		fz_assert(b[i] == 0);
	/* the daemon's notice, as binding.c reads it */
	if (f->kind == PF_ERROR && f->id == 0) {
		unsigned long inc;
		uint64_t at;
		int code = pf_error_code(f->method, f->method_len);

		pf_notice_fields(body, f->body_len, &inc, &at);
		fz_assert(code >= PROSPERO_E_TIMEOUT && code <= PROSPERO_E_UNAVAILABLE);
	}
}

static const struct pr_chan_ops ops = { .frame = on_frame };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 || !(rig.loop = ev_loop_new(0)))
		abort();
	pr_port_init(&rig.port, rig.loop, NULL);
	pr_chan_init(&rig.chan, &rig.port, sv[0], &ops);
	rig.peer = sv[1];
	return 0;
}

static void send_dgram(const uint8_t *data, size_t len, const struct expect *ex)
{
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(int) * (PF_MAX_FDS + 1))];
	} cm;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (ex->nfds) {
		memset(&cm, 0, sizeof cm);
		msg.msg_control = cm.space;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * ex->nfds);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * ex->nfds);
		memcpy(CMSG_DATA(c), ex->fds, sizeof(int) * ex->nfds);
	}
	if (sendmsg(rig.peer, &msg, MSG_NOSIGNAL) != (ssize_t)len)
		abort();
	for (unsigned i = 0; i < ex->nfds; i++)
		close(ex->fds[i]);
}

/* What the reader sent back: one bad_request for ID, or nothing for 0. */
static void check_answer(uint64_t id)
{
	static uint8_t back[PF_MAX_DGRAM];
	ssize_t n = recv(rig.peer, back, sizeof back, MSG_DONTWAIT);
	struct pf_frame f;

	if (!id) {
		fz_assert(n < 0 && errno == EAGAIN);
		return;
	}
	fz_assert(n > 0 && pf_decode(back, (size_t)n, &f, NULL) == n);
	fz_assert(f.kind == PF_ERROR && f.id == id);
	fz_assert(pf_error_code(f.method, f.method_len) == PROSPERO_E_BAD_REQUEST);
	fz_assert(recv(rig.peer, back, sizeof back, MSG_DONTWAIT) < 0 && errno == EAGAIN);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_frame *frames;
	struct expect ex;
	int lowest = fz_lowest_free_fd();

	if (size > PF_MAX_DGRAM)
		return 0;	/* not a datagram */
	frames = malloc((size / PF_HEADER + 1) * sizeof *frames);
	if (!frames)
		abort();
	walk(data, size, frames, &ex);
	send_dgram(data, size, &ex);
	rig.walked = frames;
	rig.nwalked = ex.frames;
	rig.got = 0;
	/* an empty datagram ends the channel for its reader: nothing else */
	fz_assert(pr_chan_read_wait(&rig.chan) == (size ? 1 : -1));
	fz_assert(rig.got == ex.frames);
	check_answer(ex.answer_id);
	fz_assert(fz_lowest_free_fd() == lowest);
	free(frames);
	return 0;
}
