/**
 * The first look at each text frame of a connected station, before ocpp-rpc parses it. Two things
 * ocpp-rpc does not check: how deeply the JSON nests (deep nesting overflows the schema validator's
 * stack, which closed the connection, or came back as "retry later" for a message that can never
 * succeed) and OCPP-J's limit of 36 characters on a message id. Both are answered here with a CALLERROR
 * carrying the station's own message id; the frame never reaches ocpp-rpc.
 *
 * The check is one pass over the text without allocating (a frame is at most OCPP_MAX_PAYLOAD_BYTES).
 */

/** OCPP payloads nest about 8 levels (NotifyReport); 32 leaves room and stops stack-deep frames. */
export const MAX_JSON_DEPTH = 32;
/** OCPP-J: "The message ID ... maximum of 36 characters". */
export const MAX_MESSAGE_ID_LENGTH = 36;

export interface FrameRefusal {
  /** The message id token exactly as the station wrote it (without quotes), or "-1" when unreadable. */
  rawId: string;
  /** 2.0.1 spelling; the reply is put into 1.6's vocabulary on the way out (error-codes.ts). */
  code: 'FormatViolation' | 'RpcFrameworkError';
  description: string;
  /** Label value of chargewatch_ocpp_bad_messages_total. */
  reason: 'too_deep' | 'long_message_id';
  /** Only a CALL is answered; a response frame (or one whose type is unreadable) is dropped. */
  answer: boolean;
}

/** true when arrays/objects nest deeper than `max`, brackets inside strings not counted. */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > max) return true;
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return false;
}

// The message id of a frame as written: `[2, "<token>"` (any message type number, so that answers to
// unknown types can carry the id too).
const ID_TOKEN = /^\s*\[\s*(-?\d{1,9})\s*,\s*"((?:[^"\\]|\\.)*)"/;

/** The raw id token of a frame and its decoded value, or undefined when the frame does not start so. */
export function messageIdOf(text: string): { type: number; raw: string; value: string } | undefined {
  const m = ID_TOKEN.exec(text.length > 1024 ? text.slice(0, 1024) : text);
  if (!m) return undefined;
  try {
    return { type: Number(m[1]), raw: m[2]!, value: JSON.parse(`"${m[2]}"`) as string };
  } catch {
    return undefined;
  }
}

/** Why a frame is refused before parsing, or undefined when ocpp-rpc may have it. */
export function inspectFrame(text: string): FrameRefusal | undefined {
  const id = messageIdOf(text);
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
    return { rawId: id?.raw ?? '-1', code: 'FormatViolation', description: `JSON nested deeper than ${MAX_JSON_DEPTH} levels`, reason: 'too_deep', answer: id === undefined || id.type === 2 };
  }
  if (id && [...id.value].length > MAX_MESSAGE_ID_LENGTH) {
    return { rawId: id.raw, code: 'RpcFrameworkError', description: `message id longer than ${MAX_MESSAGE_ID_LENGTH} characters`, reason: 'long_message_id', answer: id.type === 2 };
  }
  return undefined;
}

/** A CALLERROR frame for a refusal, echoing the station's id token byte for byte. */
export function refusalFrame(r: FrameRefusal): string {
  return `[4,"${r.rawId}",${JSON.stringify(r.code)},${JSON.stringify(r.description)},{}]`;
}
