/* SPDX-License-Identifier: BSD-3-Clause */
#include "ct_priv.h"

#include <netinet/in.h>
#include <string.h>

/*
 * The TCP tracker of Linux 6.1's nf_conntrack_proto_tcp.c: the same state table, window
 * tracking (tcp_in_window, after Guido van Rooij's "Real Stateful TCP Packet Filtering"),
 * timeouts and special cases (reopen from TIME_WAIT/CLOSE, ignored SYNs and SYN/ACKs that
 * resynchronise, challenge ACKs, RST checks). Runs under the entry's spinlock: the two
 * directions of a connection may be on two workers.
 */

enum { TCP_SYN_SET, TCP_SYNACK_SET, TCP_FIN_SET, TCP_ACK_SET, TCP_RST_SET, TCP_NONE_SET };

/* ip_ct_tcp_state.flags and last_flags */
enum {
	F_WINDOW_SCALE = 0x01,
	F_SACK_PERM = 0x02,
	F_CLOSE_INIT = 0x04,
	F_BE_LIBERAL = 0x08,
	F_DATA_UNACK = 0x10,
	F_MAXACK_SET = 0x20,
	F_CHALLENGE_ACK = 0x40,
	F_SIMULTANEOUS_OPEN = 0x80,
};

enum { FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20 };

#define sNO CT_TCP_NONE
#define sSS CT_TCP_SYN_SENT
#define sSR CT_TCP_SYN_RECV
#define sES CT_TCP_ESTABLISHED
#define sFW CT_TCP_FIN_WAIT
#define sCW CT_TCP_CLOSE_WAIT
#define sLA CT_TCP_LAST_ACK
#define sTW CT_TCP_TIME_WAIT
#define sCL CT_TCP_CLOSE
#define sS2 CT_TCP_SYN_SENT2
#define sIV CT_TCP_MAX
#define sIG CT_TCP_IGNORE

/* [direction][flags seen][old state] -> new state: Linux's tcp_conntracks, see its comments. */
static const uint8_t tcp_next[2][6][CT_TCP_MAX] = {
	{
		/*            sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2 */
		/* syn */ {sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2},
		/* synack */ {sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR},
		/* fin */ {sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV},
		/* ack */ {sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV},
		/* rst */ {sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL},
		/* none */ {sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV},
	},
	{
		/*            sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2 */
		/* syn */ {sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2},
		/* synack */ {sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR},
		/* fin */ {sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV},
		/* ack */ {sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG},
		/* rst */ {sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL},
		/* none */ {sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV},
	},
};

/* The header fields the tracker reads. */
struct seg {
	uint32_t seq, ack, end;
	uint16_t win;
	uint8_t flags;
	const uint8_t *opt; /* options, optlen bytes */
	uint32_t optlen;
};

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline bool before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}
#define after(a, b) before(b, a)

static void seg_read(const struct ct_pkt *p, struct seg *s)
{
	const uint8_t *th = p->l4;
	uint32_t doff = (th[12] >> 4) * 4u;

	s->seq = rd32(th + 4);
	s->ack = rd32(th + 8);
	s->flags = th[13];
	s->win = (uint16_t)(th[14] << 8 | th[15]);
	s->opt = th + 20;
	s->optlen = doff - 20;
	/* segment_seq_plus_len() */
	s->end = s->seq + (p->l4_len - doff) + !!(s->flags & SYN) + !!(s->flags & FIN);
}

static unsigned int flags_index(uint8_t f)
{
	if (f & RST)
		return TCP_RST_SET;
	if (f & SYN)
		return f & ACK ? TCP_SYNACK_SET : TCP_SYN_SET;
	if (f & FIN)
		return TCP_FIN_SET;
	return f & ACK ? TCP_ACK_SET : TCP_NONE_SET;
}

/* tcp_error()'s tcp_valid_flags, ECE, CWR and PSH ignored. */
static bool flags_valid(uint8_t f)
{
	switch (f & (FIN | SYN | RST | ACK | URG)) {
	case SYN:
	case SYN | URG:
	case SYN | ACK:
	case RST:
	case RST | ACK:
	case FIN | ACK:
	case FIN | ACK | URG:
	case ACK:
	case ACK | URG:
		return true;
	}
	return false;
}

/*
 * The next option after *o (*len bytes left, NOPs skipped): its kind, size and data. False at
 * the end, an EOL or a malformed option, where Linux's parsers stop too.
 */
static bool opt_next(
	const uint8_t **o, int *len, uint8_t *kind, uint8_t *size, const uint8_t **data)
{
	while (*len > 0 && (*o)[0] == 1) { /* NOP */
		(*o)++;
		(*len)--;
	}
	if (*len < 2 || (*o)[0] == 0 || (*o)[1] < 2 || (*o)[1] > *len)
		return false;
	*kind = (*o)[0];
	*size = (*o)[1];
	*data = *o + 2;
	*o += *size;
	*len -= *size;
	return true;
}

/* tcp_options(): window scale and SACK permitted. */
static void tcp_options(const struct seg *s, struct ct_tcp_dir *d)
{
	const uint8_t *o = s->opt, *data;
	int len = (int)s->optlen;
	uint8_t kind, size;

	if (len == 0)
		return; /* as Linux: no options leave what was known */
	d->td_scale = 0;
	d->flags &= F_BE_LIBERAL;
	while (opt_next(&o, &len, &kind, &size, &data)) {
		if (kind == 4 && size == 2) {
			d->flags |= F_SACK_PERM;
		} else if (kind == 3 && size == 3) {
			d->td_scale = RTE_MIN(*data, 14); /* RFC 7323 */
			d->flags |= F_WINDOW_SCALE;
		}
	}
}

/* tcp_sack(): the highest right edge of the first SACK option's blocks, if above *sack. */
static void tcp_sack(const struct seg *s, uint32_t *sack)
{
	const uint8_t *o = s->opt, *data;
	int len = (int)s->optlen;
	uint8_t kind, size;

	while (opt_next(&o, &len, &kind, &size, &data)) {
		if (kind != 5 || size < 10 || (size - 2) % 8 != 0)
			continue;
		for (int i = 0; i < size - 2; i += 8) {
			uint32_t edge = rd32(data + i + 4);

			if (after(edge, *sack))
				*sack = edge;
		}
		return;
	}
}

bool ct_tcp_new_ok(const struct ct_pkt *p)
{
	uint8_t f = p->l4[13];
	uint8_t next;

	if (!flags_valid(f))
		return false;
	next = tcp_next[0][flags_index(f)][CT_TCP_NONE];
	if (next >= CT_TCP_MAX)
		return false;
	/* tcp_loose 0: no picking up of connections already established */
	return next == CT_TCP_SYN_SENT || sysctl_read(&ct_tcp_loose) != 0;
}

/* tcp_new(): the state of a new entry. */
void ct_tcp_init(struct ct_entry *e, const struct ct_pkt *p)
{
	struct ct_tcp *tcp = &e->tcp;
	struct ct_tcp_dir *d = &tcp->seen[0];
	struct seg s;

	seg_read(p, &s);
	memset(tcp, 0, sizeof(*tcp));
	d->td_end = s.end;
	d->td_maxwin = s.win == 0 ? 1 : s.win;
	if (s.flags & SYN) {
		d->td_maxend = d->td_end;
		tcp_options(&s, d);
	} else {
		/* picked up mid-connection: its history is lost, assume SACK and be liberal */
		d->td_maxend = d->td_end + d->td_maxwin;
		tcp->seen[0].flags = tcp->seen[1].flags = F_SACK_PERM | F_BE_LIBERAL;
	}
	tcp->last_index = TCP_NONE_SET;
}

static void init_sender(struct ct_tcp_dir *snd, struct ct_tcp_dir *rcv, const struct seg *s)
{
	snd->td_end = snd->td_maxend = s->end;
	snd->td_maxwin = s->win == 0 ? 1 : s->win;
	tcp_options(s, snd);
	/* RFC 7323: window scaling only if both sides offer it */
	if (!(snd->flags & F_WINDOW_SCALE && rcv->flags & F_WINDOW_SCALE))
		snd->td_scale = rcv->td_scale = 0;
}

enum win_res { WIN_ACCEPT, WIN_INVALID, WIN_IGNORE };

#define MAXACKWINDOW(snd) RTE_MAX((snd)->td_maxwin, 66000u)

/* nf_tcp_log_invalid(): tcp_be_liberal, or a liberal sender, accepts what would not be. */
static enum win_res not_ok(const struct ct_tcp_dir *snd, enum win_res r)
{
	return (snd->flags & F_BE_LIBERAL) || sysctl_read(&ct_tcp_be_liberal) ? WIN_ACCEPT : r;
}

static enum win_res tcp_in_window(
	struct ct_tcp *tcp, enum ct_dir dir, unsigned int index, const struct seg *s)
{
	struct ct_tcp_dir *snd = &tcp->seen[dir], *rcv = &tcp->seen[!dir];
	uint32_t seq = s->seq, ack = s->ack, sack = s->ack, end = s->end, win = s->win, swin;
	bool in_recv_win;

	if (rcv->flags & F_SACK_PERM)
		tcp_sack(s, &sack);
	if (snd->td_maxwin == 0) {
		if (s->flags & SYN) {
			/* a SYN/ACK answering a SYN, or a SYN from the reply side (simultaneous) */
			init_sender(snd, rcv, s);
			if (!(s->flags & ACK))
				return WIN_ACCEPT;
		} else {
			/* picked up mid-connection from this side */
			snd->td_end = end;
			swin = win << snd->td_scale;
			snd->td_maxwin = swin == 0 ? 1 : swin;
			snd->td_maxend = end + snd->td_maxwin;
			if (rcv->td_maxwin == 0)
				rcv->td_end = rcv->td_maxend = sack;
			else if (sack == rcv->td_end + 1)
				rcv->td_end++; /* a keepalive's answer */
		}
	} else if ((s->flags & SYN) && after(end, snd->td_end) &&
		   (tcp->state == CT_TCP_SYN_SENT || tcp->state == CT_TCP_SYN_RECV)) {
		/* RFC 793: a reinitialised connection uses higher sequence numbers */
		init_sender(snd, rcv, s);
		if (dir == CT_DIR_REPLY && !(s->flags & ACK))
			return WIN_ACCEPT;
	}
	if (!(s->flags & ACK) || ((s->flags & (ACK | RST)) == (ACK | RST) && ack == 0))
		ack = sack = rcv->td_end; /* no ACK, or broken stacks' RST+ACK with ack 0 */
	if ((s->flags & RST) && seq == 0 && tcp->state == CT_TCP_SYN_SENT)
		seq = end = snd->td_end; /* RST answering a SYN */

	if (!before(seq, snd->td_maxend + 1)) {
		uint32_t overshot = end - snd->td_maxend + 1;

		in_recv_win = rcv->td_maxwin && after(end, snd->td_end - rcv->td_maxwin - 1);
		/* TCPs that send a little more than the receive window allows */
		if (in_recv_win && after(sack, rcv->td_end - MAXACKWINDOW(snd) - 1) &&
			overshot <= rcv->td_maxwin && before(sack, rcv->td_end + 1))
			return WIN_ACCEPT;
		return not_ok(snd, WIN_INVALID); /* SEQ over the receiver's window */
	}
	if (!before(sack, rcv->td_end + 1))
		return not_ok(snd, WIN_INVALID); /* ACK of data not seen yet */
	in_recv_win = !rcv->td_maxwin || after(end, snd->td_end - rcv->td_maxwin - 1);
	if (!in_recv_win)
		return not_ok(snd, WIN_IGNORE); /* already acknowledged data retransmitted */
	if (!after(sack, rcv->td_end - MAXACKWINDOW(snd) - 1))
		return not_ok(snd, WIN_IGNORE); /* ACK under the lower bound: overly delayed */

	if (!(s->flags & SYN))
		win <<= snd->td_scale;
	swin = win + (sack - ack);
	if (snd->td_maxwin < swin)
		snd->td_maxwin = swin;
	if (after(end, snd->td_end)) {
		snd->td_end = end;
		snd->flags |= F_DATA_UNACK;
	}
	if (s->flags & ACK) {
		if (!(snd->flags & F_MAXACK_SET)) {
			snd->td_maxack = ack;
			snd->flags |= F_MAXACK_SET;
		} else if (after(ack, snd->td_maxack)) {
			snd->td_maxack = ack;
		}
	}
	if (rcv->td_maxwin != 0 && after(end, snd->td_maxend))
		rcv->td_maxwin += end - snd->td_maxend;
	if (after(sack + win, rcv->td_maxend - 1)) {
		rcv->td_maxend = sack + win;
		if (win == 0)
			rcv->td_maxend++;
	}
	if (ack == rcv->td_end)
		rcv->flags &= ~F_DATA_UNACK;
	/* retransmissions: the same segment again, counted towards the retrans timeout */
	if (index == TCP_ACK_SET) {
		if (tcp->last_dir == dir && tcp->last_seq == seq && tcp->last_ack == ack &&
			tcp->last_end == end && tcp->last_win == s->win) {
			tcp->retrans++;
		} else {
			tcp->last_dir = dir;
			tcp->last_seq = seq;
			tcp->last_ack = ack;
			tcp->last_end = end;
			tcp->last_win = s->win;
			tcp->retrans = 0;
		}
	}
	return WIN_ACCEPT;
}

/* nf_tcp_handle_invalid(): an assured connection closing out of window times out sooner. */
static void handle_invalid(struct ct_entry *e, enum ct_dir dir, unsigned int index, uint32_t now_s)
{
	struct ct_tcp *tcp = &e->tcp;

	if (!(ct_status(e) & CT_S_ASSURED))
		return;
	if (tcp->last_dir != dir &&
		(tcp->last_index == TCP_FIN_SET || tcp->last_index == TCP_RST_SET)) {
		uint32_t left = e->expires - now_s;
		uint32_t unack = (uint32_t)sysctl_read(&ct_tcp_timeouts[CT_TCP_T_UNACK]);

		if ((int32_t)left >= 120 && left > unack)
			ct_refresh(e, now_s, (int32_t)unack);
	}
	tcp->last_index = (uint8_t)index;
	tcp->last_dir = dir;
}

static int32_t timeout_of(int state)
{
	return sysctl_read(&ct_tcp_timeouts[state]);
}

/* The packet's new state, under the lock; CT_TCP_IGNORE / CT_TCP_MAX end it early. */
static enum ct_verdict tcp_locked(struct ct_entry *e, const struct seg *s, enum ct_dir dir,
	uint32_t now_s, int32_t *timeout, bool *changed)
{
	struct ct_tcp *tcp = &e->tcp;
	unsigned int index = flags_index(s->flags);
	uint8_t old_state = tcp->state, new_state = tcp_next[dir][index][old_state];
	uint32_t status = ct_status(e);

	switch (new_state) {
	case CT_TCP_SYN_SENT:
		if (old_state < CT_TCP_TIME_WAIT)
			break;
		/* RFC 1122: a SYN may reopen a connection in TIME_WAIT or closed */
		if (((tcp->seen[dir].flags | tcp->seen[!dir].flags) & F_CLOSE_INIT) ||
			(tcp->last_dir == dir && tcp->last_index == TCP_RST_SET))
			return CT_V_REPEAT;
		/* fallthrough */
	case CT_TCP_IGNORE:
		/*
		 * We may be out of sync with the endpoints: a SYN in the original direction, a
		 * SYN/ACK in the reply one, an ACK in reply to an initial SYN may be right. Let it
		 * through, remember it; a SYN/ACK answering a SYN we ignored resyncs us.
		 */
		if (index == TCP_SYNACK_SET && tcp->last_index == TCP_SYN_SET &&
			tcp->last_dir != dir && s->ack == tcp->last_end) {
			struct ct_tcp_dir *d = &tcp->seen[tcp->last_dir];

			old_state = CT_TCP_SYN_SENT;
			new_state = CT_TCP_SYN_RECV;
			d->td_end = d->td_maxend = tcp->last_end;
			d->td_maxwin = tcp->last_win == 0 ? 1 : tcp->last_win;
			d->td_scale = tcp->last_wscale;
			tcp->last_flags &= ~F_CHALLENGE_ACK;
			d->flags = tcp->last_flags;
			memset(&tcp->seen[dir], 0, sizeof(tcp->seen[dir]));
			break;
		}
		tcp->last_index = (uint8_t)index;
		tcp->last_dir = dir;
		tcp->last_seq = s->seq;
		tcp->last_end = s->end;
		tcp->last_win = s->win;
		if (index == TCP_SYN_SET && dir == CT_DIR_ORIGINAL) {
			struct ct_tcp_dir seen = {0};

			tcp->last_flags = tcp->last_wscale = 0;
			tcp_options(s, &seen);
			if (seen.flags & F_WINDOW_SCALE) {
				tcp->last_flags |= F_WINDOW_SCALE;
				tcp->last_wscale = seen.td_scale;
			}
			if (seen.flags & F_SACK_PERM)
				tcp->last_flags |= F_SACK_PERM;
			/* a challenge ACK may answer it: not the ACK of the last FIN */
			if (old_state == CT_TCP_LAST_ACK)
				tcp->last_flags |= F_CHALLENGE_ACK;
		}
		*timeout = -1;
		return CT_V_ACCEPT;
	case CT_TCP_MAX:
		return CT_V_INVALID;
	case CT_TCP_TIME_WAIT:
		/* RFC 5961's challenge ACK is no last ACK */
		if (old_state == CT_TCP_LAST_ACK && index == TCP_ACK_SET && tcp->last_dir != dir &&
			tcp->last_index == TCP_SYN_SET && (tcp->last_flags & F_CHALLENGE_ACK)) {
			tcp->last_flags &= ~F_CHALLENGE_ACK;
			*timeout = -1;
			return CT_V_ACCEPT;
		}
		break;
	case CT_TCP_SYN_SENT2:
		tcp->last_flags |= F_SIMULTANEOUS_OPEN;
		break;
	case CT_TCP_SYN_RECV:
		if (dir == CT_DIR_REPLY && index == TCP_ACK_SET &&
			(tcp->last_flags & F_SIMULTANEOUS_OPEN))
			new_state = CT_TCP_ESTABLISHED;
		break;
	case CT_TCP_CLOSE:
		if (index != TCP_RST_SET)
			break;
		if ((tcp->seen[!dir].flags & F_MAXACK_SET) && tcp->last_index != TCP_SYN_SET) {
			/* an RST must carry a sequence number the other side acknowledged */
			if (before(s->seq, tcp->seen[!dir].td_maxack))
				return CT_V_INVALID;
			if (!(status & CT_S_ASSURED) || s->seq == tcp->seen[!dir].td_maxack)
				break;
			/* one of a train of RSTs after an ACK */
			if (tcp->last_index == TCP_ACK_SET && tcp->last_dir == dir &&
				s->seq == tcp->last_end)
				break;
			/* not exact: keep the state, the endpoint may send a challenge ACK */
			new_state = old_state;
		}
		if ((((status & CT_S_SEEN_REPLY) && tcp->last_index == TCP_SYN_SET) ||
			    (!(status & CT_S_ASSURED) && tcp->last_index == TCP_ACK_SET)) &&
			s->ack == tcp->last_end)
			goto in_window; /* RST answering a SYN or ACK we let through */
		if (old_state == CT_TCP_SYN_SENT && tcp->last_index == TCP_ACK_SET &&
			tcp->last_dir == CT_DIR_REPLY && s->seq == tcp->last_ack)
			goto in_window; /* RST answering a challenge ACK */
		break;
	default:
		break;
	}
	switch (tcp_in_window(tcp, dir, index, s)) {
	case WIN_IGNORE:
		*timeout = -1;
		return CT_V_ACCEPT;
	case WIN_INVALID:
		handle_invalid(e, dir, index, now_s);
		return CT_V_INVALID;
	case WIN_ACCEPT:
		break;
	}
in_window:
	tcp->last_index = (uint8_t)index;
	tcp->last_dir = dir;
	*changed |= tcp->state != new_state;
	tcp->state = new_state;
	if (old_state != new_state && new_state == CT_TCP_FIN_WAIT)
		tcp->seen[dir].flags |= F_CLOSE_INIT;
	if (tcp->retrans >= sysctl_read(&ct_tcp_max_retrans) &&
		timeout_of(new_state) > timeout_of(CT_TCP_T_RETRANS))
		*timeout = timeout_of(CT_TCP_T_RETRANS);
	else if (index == TCP_RST_SET)
		*timeout = timeout_of(CT_TCP_CLOSE);
	else if (((tcp->seen[0].flags | tcp->seen[1].flags) & F_DATA_UNACK) &&
		 timeout_of(new_state) > timeout_of(CT_TCP_T_UNACK))
		*timeout = timeout_of(CT_TCP_T_UNACK);
	else if (tcp->last_win == 0 && timeout_of(new_state) > timeout_of(CT_TCP_T_RETRANS))
		*timeout = timeout_of(CT_TCP_T_RETRANS);
	else
		*timeout = timeout_of(new_state);
	if (!(status & CT_S_SEEN_REPLY)) {
		/* only an RST came back: no connection, the entry goes */
		if (s->flags & RST)
			return CT_V_KILL;
		/* a SYN retransmitted does not renew the entry */
		if (index == TCP_SYN_SET && old_state == CT_TCP_SYN_SENT)
			*timeout = -1;
		/* picked up mid-connection, no answer yet: not the long established timeout */
		else if (new_state == CT_TCP_ESTABLISHED && *timeout > timeout_of(CT_TCP_T_UNACK))
			*timeout = timeout_of(CT_TCP_T_UNACK);
	} else if (!(status & CT_S_ASSURED) &&
		   (old_state == CT_TCP_SYN_RECV || old_state == CT_TCP_ESTABLISHED) &&
		   new_state == CT_TCP_ESTABLISHED) {
		*changed |= ct_status_set(e, CT_S_ASSURED);
	}
	return CT_V_ACCEPT;
}

enum ct_verdict ct_tcp_packet(
	struct ct_entry *e, const struct ct_pkt *p, enum ct_dir dir, uint32_t now_s, bool *changed)
{
	enum ct_verdict v;
	int32_t timeout;
	struct seg s;

	if (!flags_valid(p->l4[13]))
		return CT_V_INVALID;
	seg_read(p, &s);
	/*
	 * The lock: uncontended it is one atomic on a line the lookup just read; two workers
	 * meet on it only when both directions of one flow arrive at the same instant.
	 */
	rte_spinlock_lock(&e->lock);
	v = tcp_locked(e, &s, dir, now_s, &timeout, changed);
	rte_spinlock_unlock(&e->lock);
	if (v == CT_V_ACCEPT && timeout >= 0)
		ct_refresh(e, now_s, timeout);
	return v;
}
