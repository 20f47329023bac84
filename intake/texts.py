"""Intake's user-facing texts: labels, refusals and notes, in Simplified Chinese.

Every word of :mod:`intake` that a villager, a staff member or whoever installs the bot reads is
here, referenced by name; a template's fields (``{number}``) are filled with
:meth:`str.format`. The handlers' own texts are in :mod:`handlers.texts`. Label maps are keyed
by the value of their enum (a ``StrEnum`` member looks itself up).
"""

# People (intake.service.people).
DEFAULT_NAME = "村民"
UNKNOWN_USER = "没有找到编号为 {user_id} 的用户。"
UNKNOWN_GRID = "没有找到网格「{grid}」。"
ROLES_BY_ADMINS = "只有管理员可以设置人员身份。"
OWN_ROLE = "不能修改自己的身份，请另一位管理员操作。"
GRID_WORKER_NEEDS_GRID = "网格员需要指定所在网格。"
ROLE_NEEDS_VILLAGE = "{role}需要指定所在村（社区）。"
DEPARTMENT_NEEDS_UNIT = "部门人员需要指定所在单位。"
UNKNOWN_ROLE_UNIT = "没有「{unit}」这个单位；可选：{units}。"
UNIT_ONLY_FOR_DEPARTMENT = "只有部门人员需要填写所在单位。"
# Joins the items of a list in a message: units, categories, roles.
LIST_JOIN = "、"

# Tickets in general (intake.service.core).
CONFLICT = "工单 {number} 刚刚被其他人处理（现为「{state}」），您的操作没有生效，请刷新后再看。"
TICKET_NOT_FOUND = "没有找到工单 {number}，或您无权查看。"
ALREADY_FILED = "这条消息已经被登记过了。"

# Handling (intake.service.handling); the nouns name what was typed in refusals.
UNRATED_CLOSING_NOTE = "回访期限内未收到评价，按「未评价」办结。"
PHONE_FEEDBACK_NOTE = "电话回访，由工作人员记录"
PHONE_FEEDBACK_WITH_REASON = "{note}：{reason}"
WHAT_REJECT_REASON = "不予受理的理由"
WHAT_ROUTE = "应当走的途径"
WHAT_REROUTE_REASON = "改派理由"
WHAT_RETURN_REASON = "退回理由"
WHAT_ESCALATE_REASON = "上报理由"
WHAT_DEESCALATE_REASON = "下派理由"
WHAT_NOTE = "备注"
WHAT_EXTEND_REASON = "延期理由"
WHAT_REPLY = "答复内容"
WHAT_DISSATISFIED_REASON = "不满意的原因"
WHAT_CLOSE_REASON = "办结说明"
CLAIMED_BY_YOU = "您"
CLAIMED_BY_OTHER = "其他工作人员"
ALREADY_CLAIMED = "工单 {number} 已由{who}认领，不能重复认领。"
NOT_ASSIGNABLE = "{name}（{role}）不负责「{level}」阶段的这张工单，不能指派给他/她。"
ALREADY_ASSIGNED = "工单 {number} 已经由{name}承办。"
AT_THE_TOP = "工单 {number} 已在「部门联动」，不能再上报。"
UNITS_ONLY_FOR_DEPARTMENT = "只有部门联动才需要指定牵头和协办单位。"
AT_THE_BOTTOM = "工单 {number} 已在「网格」，不能再下派。"
ALREADY_EXTENDED = "工单 {number} 已经延期过一次（{days} 天），不能再次延期。"
LEAD_UNIT_NEEDED = "部门联动需要指定牵头单位。"
UNKNOWN_UNITS = "没有这些单位：{unknown}；可选：{units}。"
LEAD_ALSO_CO_UNIT = "牵头单位不能同时是协办单位。"
CHOOSE_RATING = "请选择满意、基本满意或不满意。"
PHONE_RATING_BY_STAFF = "只有工作人员可以记录电话回访的评价。"

# The thread (intake.service.thread).
WHAT_MESSAGE = "留言"
WHAT_MORE_NEEDED = "需要补充的材料"
WHAT_SUPPLEMENT = "补充的内容"
EMPTY_SUPPLEMENT = "补充的内容不能为空。"
FINISHED_NO_SUPPLEMENT = "工单 {number} 已经{state}，不能再补充；如有新情况，请重新登记。"

# Periods of reports and registers (intake.service.queries, intake.liaisons, intake.receptions).
END_BEFORE_START = "结束日期不能早于开始日期。"
START_IN_FUTURE = "开始日期 {start} 还没到，请选择今天（{today}）以前的日期。"

# Permissions (intake.rules).
WRONG_STATE = "工单 {number} 当前状态为「{state}」，不能{action}。"
NOT_YOURS = "您的身份（{role}）不能对工单 {number} {action}：只有{who}可以{action}。"
FILING_NOT_ALLOWED = "您的身份（{role}）不能以「{source}」方式登记，只有{allowed}可以。"
ESCALATE = "上报"
DEESCALATE = "下派"
WRONG_WAY = "工单 {number} 现在「{level}」，不能{direction}到「{target}」。"
DEPARTMENT_BY_SUPERVISORS = "只有镇干部或管理员可以启动部门联动（确定牵头单位和协办单位）。"

# Checking what was typed (intake.validation).
EMPTY = "{what}不能为空。"
TOO_LONG = "{what}太长了：最多 {limit} 个字，现在是 {length} 个字。"
EXTENSION_DAYS = "延期天数须在 1 到 {limit} 天之间。"
PHONE_NEEDS_CONSENT = "留下电话需要村民本人同意用于回访联系，请先确认同意。"
PHONE_MALFORMED = "电话号码格式不对：请填写 11 位手机号，或带区号的固定电话。"
UNKNOWN_VILLAGE = "没有找到村（社区）「{code}」，请从村（社区）列表中选择。"
VILLAGE_NOT_IN_GRID = "「{village}」不在「{grid}」内，请核对网格。"
# Days staff may type by name, and how many days back each is.
RELATIVE_DAYS = {"今天": 0, "昨天": 1, "前天": 2}
UNREADABLE_DAY = "看不懂日期「{typed}」：请写成 2026-12-05、12月5日，或「今天」「昨天」。"
RECEPTION_DAY_NEEDED = "镇领导接访需要填写接访日期。"
RECEPTION_DAY_AHEAD = "接访日期 {day} 还没到，请核对。"
RECEPTION_DAY_OLD = "接访日期 {day} 已超过一年，请核对。"
NO_SOURCE_KEY = "缺少来源编号（或编号过长），无法登记。"
WHAT_TICKET_TEXT = "反映的内容"
UNKNOWN_CATEGORY = "没有「{category}」这个类别，可选：{categories}。"
TOO_MANY_ATTACHMENTS = "附件最多 {limit} 个，请删减后再提交。"
ATTACHMENT_WITHOUT_FILE = "有附件缺少文件编号，请重新发送。"
WHAT_VILLAGER_NAME = "村民姓名"
WHAT_RECEPTION_LEADER = "接访领导姓名"
WHAT_PATROL_PLACE = "排查地点"
CHANNEL_DETAILS_MISPLACED = "「{source}」不填接访领导、接访日期或排查地点，请核对登记方式。"

# Liaison applications (intake.liaisons).
WHAT_APPLICANT_NAME = "姓名"
APPLICANT_PHONE_NEEDED = "请留下您的电话，方便镇里核实。"
ALREADY_LIAISON = "您已经是法律明白人了，可以直接用 /daiban。"
STAFF_NEED_NOT_APPLY = "工作人员不用申请法律明白人；需要调整身份请联系管理员。"
ALREADY_APPLIED = "您的申请已经提交，正在等待管理员审核。"
UNKNOWN_APPLICATION = "没有找到第 {number} 号申请。"
APPLICATIONS_BY_ADMINS = "只有管理员可以审核法律明白人申请。"
APPLICATION_DECIDED = "第 {number} 号申请已经审核过了。"

# Bans (intake.moderation).
BANNED_JUST_NOW = "此人刚刚已被其他工作人员禁用。"
NOT_BANNED = "{name}没有被禁用，无需解除。"
BANS_BY_SUPERVISORS = "只有镇干部和管理员可以禁用或解除禁用。"
NO_SELF_BAN = "不能禁用自己。"
STAFF_NOT_BANNED = "{name}是{role}，不能禁用；如确有必要，请管理员先用 /role 改为村民。"
WHAT_BAN_REASON = "禁用理由"
ALREADY_BANNED = "{name}已经被禁用了。"

# The question log (intake.question_log).
EMPTY_QUESTION = "问题不能为空。"
UNKNOWN_DECISION = "未知的处理结果「{decision}」。"
BAD_ENTRY_ID = "问答条目编号无效。"

# The intake configuration (intake.config), for whoever installs the bot.
CONFIG_PROBLEM_JOIN = "；"
CONFIG_ROOT = "(根)"
CONFIG_INVALID = "{path} / {villages}：配置无效（{problems}）"
CONFIG_UNREADABLE = "{path}：无法读取配置文件（{error}）"
CONFIG_NOT_YAML = "{path}：不是有效的 YAML（{error}）"
CONFIG_NOT_MAPPING = "{path}：配置文件的顶层必须是键值映射"

# Visibility of events and sides of the thread (intake.enums).
PUBLIC = "公开"
INTERNAL = "内部"
SIDE_VILLAGER = "村民"
SIDE_STAFF = "工作人员"

# The township's figures (intake.reporting): each label, and what it counts.
AVERAGE_DAYS = "平均办理天数"
FIGURE_DEFINITIONS = (
    ("收件数", "期间内收到（村民提交或工作人员登记）的工单数。"),
    ("不予受理件数", "期间内收到、截止时已决定不予受理的工单数。"),
    ("未受理件数", "期间内收到、截止时既未受理也未决定不予受理的工单数。"),
    ("受理件数", "期间内受理的工单数；以下各项（超期件数除外）都以这些工单为准。"),
    ("办结件数", "受理的工单中，截止时已办结（含未评价办结）的件数。"),
    ("办结率", "办结件数 ÷ 受理件数。"),
    ("按期办结率", "办结的工单中，最后一次答复不晚于办理期限（含批准的延期）的比例。"),
    (
        "超期件数",
        "期间内收到的工单中，超过法定期限的件数：受理期限（15日）内未决定受理与否，"
        "或受理后办理期限（60日，含批准的延期）内未答复；到截止时仍未办的也算。每件只计一次。",
    ),
    (
        "超过30天件数",
        "受理的工单中，从受理到答复超过30天的件数；截止时还没有答复（含不满意后重新办理）的，"
        "算到截止日。这不是法定期限，与超期件数不同。",
    ),
    ("平均办理天数", "办结的工单从受理到最后一次答复的平均天数（按日历日）。"),
    ("矛盾纠纷排查数", "受理的工单中类型为矛盾纠纷的件数。"),
    ("化解数", "这些矛盾纠纷中截止时已办结的件数（不满意而重新办理的，再次办结才算）。"),
    ("化解率", "化解数 ÷ 矛盾纠纷排查数。"),
    ("满意率", "截止时对受理工单的回访评价中，满意和基本满意所占的比例；未评价不计。"),
)

# Roles (intake.enums.Role).
ROLE_LABELS = {
    "villager": "村民",
    "liaison": "法律明白人",
    "grid_worker": "网格员",
    "village_mediator": "村调解员",
    "township_officer": "镇干部",
    "department": "部门",
    "admin": "管理员",
}

# Kinds of ticket (intake.enums.TicketKind).
KIND_LABELS = {
    "consultation": "咨询",
    "complaint": "投诉",
    "dispute": "矛盾纠纷",
    "request": "求助",
}

# How a ticket arrived (intake.enums.Source).
SOURCE_LABELS = {
    "villager": "村民自报",
    "liaison": "法律明白人代报",
    "reception": "镇领导接访",
    "phone": "电话登记",
    "window": "接待专窗",
    "grid_patrol": "网格排查",
}

# Ticket states (intake.enums.TicketState).
STATE_LABELS = {
    "new": "待受理",
    "accepted": "已受理",
    "in_progress": "办理中",
    "extended": "延期",
    "answered": "已答复",
    "awaiting_feedback": "待回访",
    "closed": "已办结",
    "rejected": "不予受理",
    "returned": "退回",
}

# Levels of the chain (intake.enums.Level).
LEVEL_LABELS = {
    "grid": "网格",
    "village": "村级调解",
    "township": "镇级研判",
    "department": "部门联动",
}

# Events in a ticket's history (intake.enums.EventType).
EVENT_LABELS = {
    "filed": "提交",
    "accepted": "受理",
    "rejected": "不予受理",
    "returned": "退回分流",
    "rerouted": "改派村网格",
    "claimed": "认领",
    "assigned": "指派",
    "escalated": "上报",
    "deescalated": "下派",
    "replied": "答复",
    "noted": "内部备注",
    "extended": "延期",
    "feedback_requested": "发起回访",
    "feedback_recorded": "回访评价",
    "reopened": "重新办理",
    "closed": "办结",
    "more_requested": "请补充材料",
    "more_received": "收到补充材料",
}

# Ratings at 回访 (intake.enums.Rating).
RATING_LABELS = {
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "dissatisfied": "不满意",
    "unrated": "未评价",
}

# Kinds of attachment (intake.enums.AttachmentKind).
ATTACHMENT_LABELS = {
    "photo": "照片",
    "voice": "语音",
    "video": "视频",
    "document": "文件",
}

# Deadlines (intake.enums.DeadlineKind).
DEADLINE_LABELS = {
    "acceptance": "受理期限",
    "handling": "办理期限",
    "level": "本级处置目标",
}

# Actions on a ticket, as verbs (intake.rules.Action).
ACTION_LABELS = {
    "accept": "受理",
    "reject": "不予受理",
    "reroute": "改派村网格",
    "return": "退回分流",
    "claim": "认领",
    "assign": "指派",
    "escalate": "上报",
    "deescalate": "下派",
    "reply": "答复",
    "note": "添加备注",
    "extend": "延期",
    "request_feedback": "发起回访",
    "record_feedback": "记录回访评价",
    "close": "办结",
    "request_more": "请补充材料",
    "message": "给村民留言",
}

# Who may take each action, as refusals and the action catalogue say it.
WHO_MAY = {
    "accept": "本网格网格员、本村调解员、镇干部或管理员（退回件仅限镇干部或管理员）",
    "reject": "镇干部或管理员",
    "reroute": "镇干部或管理员",
    "return": "工作人员",
    "claim": "当前层级负责该工单的工作人员",
    "assign": "本村调解员、镇干部或管理员",
    "escalate": "承办人、当前层级负责该工单的工作人员、镇干部或管理员",
    "deescalate": "镇干部、管理员，或村级调解阶段的本村调解员",
    "reply": "承办人、当前层级负责该工单的工作人员、镇干部或管理员",
    "note": "工作人员",
    "extend": "镇干部或管理员",
    "request_feedback": "承办人、当前层级负责该工单的工作人员、镇干部或管理员",
    "record_feedback": "当事村民、代报人、承办人、镇干部或管理员",
    "close": "镇干部或管理员",
    "request_more": "可以受理或承办该工单的工作人员、镇干部或管理员",
    "message": "工作人员",
}

# What an action asks for (intake.actions.Input).
INPUT_LABELS = {
    "text": "内容",
    "reason": "理由",
    "route": "应当走的途径",
    "days": "延期天数",
    "assignee": "承办人",
    "to_level": "层级",
    "lead_unit": "牵头单位",
    "co_units": "协办单位",
    "village_code": "村（社区）",
    "rating": "回访评价",
}

# What became of a question (intake.question_log.QuestionDecision).
DECISION_LABELS = {
    "answer": "已回答",
    "clarify": "反问",
    "none": "未能回答",
}

# Liaison applications (intake.liaisons.ApplicationState).
APPLICATION_LABELS = {
    "pending": "待审核",
    "approved": "已通过",
    "declined": "未通过",
}
