// Messages of the More screens, L1 and B3–B4 (see index.ts). The Korean words follow
// the hosted service's guide: 공지사항, 자주 묻는 질문, 문의하기, 이용약관,
// 개인정보 처리방침, 오픈소스 라이선스, 비밀번호 변경, 로그아웃. The terms and privacy
// texts use a light markup (api/content.ts textBlocks): blocks split by blank lines,
// "## " a heading, lines of "- " a list.
export const en = {
  'more.title': 'More',
  'more.back': 'Back',
  'more.back_to': 'Back to {page}',
  'more.signed_in': 'Logged in as {name} ({id}) · {org}',
  'more.group.help': 'Help',
  'more.group.account': 'Account',
  'more.group.about': 'About',
  'more.notices': 'Notices',
  'more.faq': 'FAQ',
  'more.inquiry': 'Contact support',
  'more.terms': 'Terms of use',
  'more.privacy': 'Privacy policy',
  'more.licenses': 'Open-source licences',
  'more.password': 'Change password',
  'more.password_due': 'Required',
  'more.language': 'Language',
  'more.logout': 'Log out',
  'more.logout.confirm_title': 'Log out?',
  'more.logout.confirm_text': 'You will stop receiving calls on this device until you log in again.',
  'more.logout.busy': 'Logging out…',
  'more.not_found': 'There is no such page.',

  'more.notices.empty': 'No notices yet.',
  'more.notices.pinned': 'Pinned',
  'more.notices.load_more': 'Show more',
  'more.notices.gone': 'This notice is not available (any more).',
  'more.notices.published': 'Published {date}',

  'more.faq.search': 'Search the FAQ',
  'more.faq.empty': 'No questions have been added yet.',
  'more.faq.no_match': 'No question matches “{text}”.',
  'more.faq.general': 'General',
  'more.faq.ask': 'Did not find the answer?',

  'more.inquiry.intro': 'Write to the people who run this contact center. Your message is kept on this server for them; they answer through the contact you give, or in person.',
  'more.inquiry.subject': 'Subject',
  'more.inquiry.body': 'Message',
  'more.inquiry.contact': 'Reply to (optional)',
  'more.inquiry.contact_hint': 'An e-mail address or a phone number.',
  'more.inquiry.count': '{count} / {max}',
  'more.inquiry.send': 'Send',
  'more.inquiry.sending': 'Sending…',
  'more.inquiry.sent': 'Sent. Thank you — support will get back to you.',
  'more.inquiry.too_many': 'You have sent many messages recently. Try again in {minutes} min.',
  'more.inquiry.mine': 'My earlier messages',
  'more.inquiry.mine_empty': 'You have not sent any messages yet.',
  'more.inquiry.reply_to': 'Reply to: {contact}',
  'more.inquiry.required': 'Please fill this in.',
  'more.inquiry.too_long': 'At most {max} characters (now {count}).',
  'more.inquiry.control': 'Remove the invisible control characters.',
  'more.inquiry.contact_format': 'Give an e-mail address (name@example.com) or a phone number (3 to 20 digits, + allowed at the start).',
  'more.inquiry.fix': 'Please check the fields marked above.',

  'more.licenses.intro': 'Switchboard is open-source software. It is built from these components, each under its own licence.',
  'more.licenses.app': 'In this app ({count})',
  'more.licenses.server': 'In the server ({count})',
  'more.licenses.show_text': 'Licence text',
  'more.licenses.no_text': 'No licence text is included with this package; see its source ({source}).',
  'more.licenses.unknown': 'Licence not stated',
  'more.licenses.missing': 'The licence list is made when the app is built; this copy of the app has none.',
  'more.licenses.none': 'None listed.',

  'more.password.intro': 'Enter your current password and choose a new one. Your other logged-in devices will be logged out; this one stays logged in.',
  'more.password.current': 'Current password',
  'more.password.new': 'New password',
  'more.password.confirm': 'New password again',
  'more.password.rules': '8 to 128 characters. Not your agent ID, not a common password, not a run like 12345678 or abcdefgh.',
  'more.password.show': 'Show passwords',
  'more.password.submit': 'Change password',
  'more.password.busy': 'Changing…',
  'more.password.done': 'Your password is changed. Other devices have been logged out.',
  'more.password.required': 'Please fill this in.',
  'more.password.too_short': 'The password must have at least 8 characters.',
  'more.password.too_long': 'The password must have at most 128 characters.',
  'more.password.control': 'The password must not contain control characters.',
  'more.password.mismatch': 'The two new passwords are not the same.',
  'more.password.same': 'The new password must differ from the current one.',
  'more.password.agent_id': 'The password must not be your agent ID (or your ID with digits or symbols added).',
  'more.password.common': 'This password is too common or too easy to guess; choose another.',
  'more.password.wrong': 'The current password is not correct.',
  'more.password.too_many': 'Too many wrong passwords. Try again in {seconds} seconds.',
  'more.password.busy_server': 'The server is busy. Try again in a moment.',
  'more.password.rejected': 'The new password was not accepted: {detail}',

  'more.terms.updated': 'Plain-language summary; not legal advice.',
  'more.terms.text': `## Who provides this service

Switchboard is open-source contact center software. This copy is run by the organization that operates this server — usually your employer, or a company it hired to run it. The Switchboard project does not run this server, cannot see its data and is not a party to these terms.

## What it is for

- Use the app for your organization's work: taking and making customer calls, writing after-call notes, and reading your organization's call history and statistics.
- Use only your own account. Keep your password to yourself and change it if you think someone else knows it.
- Do not try to reach data or functions your account was not given, and do not try to disrupt the service.

## Calls are recorded

Customer calls answered through this service are recorded, and call records and notes are kept, as your organization has set it up. Customers must be told about recording where the law requires it; your organization's welcome message is the usual place.

## Availability

The service depends on this server, its network and your device. The operator may change, pause or end it. The software is provided "as is", without warranty, under its open-source licence (see Open-source licences).

## Questions

Ask your administrator, or use Contact support. This page is a plain summary, not legal advice; your organization's own policies and its agreements with you come first.`,
  'more.privacy.text': `## Who is responsible

The organization that operates this server decides what is kept, for how long and who may see it, and is responsible for it. The data stays on its server; the Switchboard project receives none of it.

## What is stored

- Your account: organization, agent ID, name, the menus you serve, and your password as a one-way hash — never the password itself.
- Login sessions: when each began and ends, and the network address it was opened from. Failed logins are counted to slow down guessing.
- Your states (Ready, Break, After-call work, On a call) and when each began; the statistics are made from them.
- Call records: the numbers, the menu, times and waits, who answered, and how the call ended.
- Recordings of answered customer calls (both voices), and who played a recording, when and from which address.
- After-call notes you and your colleagues write, and the messages you send through Contact support.

## On this device

This browser keeps your session token until you log out and, if you chose "Save ID", your organization and agent ID. It also keeps your language choice. Nothing else is stored here.

## Who can see it

Your colleagues in the organization see call history, notes, states and statistics through this app. Administrators see and manage all of it. The people who run the server can reach everything on it.

## How long, and your rights

Data is kept for as long as your organization decides. Ask your administrator about its retention rules and about seeing, correcting or deleting your data. This page describes what the software stores; it is not legal advice, and your organization's privacy notice and the law where you work set out your rights.`,
} as const;

export const ko: Record<keyof typeof en, string> = {
  'more.title': '더보기',
  'more.back': '뒤로',
  'more.back_to': '{page} 화면으로 돌아가기',
  'more.signed_in': '{org} · {name}({id})님으로 로그인됨',
  'more.group.help': '고객센터',
  'more.group.account': '계정',
  'more.group.about': '정보',
  'more.notices': '공지사항',
  'more.faq': '자주 묻는 질문',
  'more.inquiry': '문의하기',
  'more.terms': '이용약관',
  'more.privacy': '개인정보 처리방침',
  'more.licenses': '오픈소스 라이선스',
  'more.password': '비밀번호 변경',
  'more.password_due': '변경 필요',
  'more.language': '언어',
  'more.logout': '로그아웃',
  'more.logout.confirm_title': '로그아웃할까요?',
  'more.logout.confirm_text': '다시 로그인할 때까지 이 기기로 상담 전화를 받을 수 없습니다.',
  'more.logout.busy': '로그아웃 중…',
  'more.not_found': '없는 페이지입니다.',

  'more.notices.empty': '아직 공지사항이 없습니다.',
  'more.notices.pinned': '고정',
  'more.notices.load_more': '더 보기',
  'more.notices.gone': '볼 수 없는 공지사항입니다.',
  'more.notices.published': '{date} 게시',

  'more.faq.search': '자주 묻는 질문 검색',
  'more.faq.empty': '아직 등록된 질문이 없습니다.',
  'more.faq.no_match': '“{text}”에 맞는 질문이 없습니다.',
  'more.faq.general': '일반',
  'more.faq.ask': '원하는 답을 찾지 못했나요?',

  'more.inquiry.intro': '이 상담센터를 운영하는 담당자에게 문의를 보냅니다. 문의 내용은 담당자가 볼 수 있도록 이 서버에 저장되며, 답변은 남기신 연락처나 직접 전달됩니다.',
  'more.inquiry.subject': '제목',
  'more.inquiry.body': '내용',
  'more.inquiry.contact': '답변 받을 연락처(선택)',
  'more.inquiry.contact_hint': '이메일 주소 또는 전화번호.',
  'more.inquiry.count': '{count} / {max}',
  'more.inquiry.send': '보내기',
  'more.inquiry.sending': '보내는 중…',
  'more.inquiry.sent': '문의를 보냈습니다. 담당자가 확인 후 답변드립니다.',
  'more.inquiry.too_many': '최근에 보낸 문의가 많습니다. {minutes}분 후에 다시 시도하세요.',
  'more.inquiry.mine': '내 문의 내역',
  'more.inquiry.mine_empty': '아직 보낸 문의가 없습니다.',
  'more.inquiry.reply_to': '연락처: {contact}',
  'more.inquiry.required': '입력해 주세요.',
  'more.inquiry.too_long': '최대 {max}자까지 입력할 수 있습니다(현재 {count}자).',
  'more.inquiry.control': '보이지 않는 제어 문자를 지워 주세요.',
  'more.inquiry.contact_format': '이메일 주소(name@example.com) 또는 전화번호(숫자 3~20자리, 맨 앞 + 가능)를 입력하세요.',
  'more.inquiry.fix': '위에 표시된 항목을 확인해 주세요.',

  'more.licenses.intro': '스위치보드는 오픈소스 소프트웨어입니다. 아래 구성 요소로 만들어졌으며, 각 구성 요소에는 고유한 라이선스가 적용됩니다.',
  'more.licenses.app': '앱 구성 요소({count})',
  'more.licenses.server': '서버 구성 요소({count})',
  'more.licenses.show_text': '라이선스 전문',
  'more.licenses.no_text': '이 패키지에는 라이선스 전문이 포함되어 있지 않습니다. 출처({source})를 확인하세요.',
  'more.licenses.unknown': '라이선스 표기 없음',
  'more.licenses.missing': '라이선스 목록은 앱을 빌드할 때 만들어집니다. 지금 실행 중인 앱에는 목록이 없습니다.',
  'more.licenses.none': '목록이 없습니다.',

  'more.password.intro': '현재 비밀번호를 입력하고 새 비밀번호를 정하세요. 다른 기기의 로그인은 모두 종료되고, 이 기기는 로그인이 유지됩니다.',
  'more.password.current': '현재 비밀번호',
  'more.password.new': '새 비밀번호',
  'more.password.confirm': '새 비밀번호 확인',
  'more.password.rules': '8~128자. 상담원 ID, 흔한 비밀번호, 12345678이나 abcdefgh처럼 연속된 문자는 쓸 수 없습니다.',
  'more.password.show': '비밀번호 표시',
  'more.password.submit': '비밀번호 변경',
  'more.password.busy': '변경 중…',
  'more.password.done': '비밀번호가 변경되었습니다. 다른 기기는 로그아웃되었습니다.',
  'more.password.required': '입력해 주세요.',
  'more.password.too_short': '비밀번호는 8자 이상이어야 합니다.',
  'more.password.too_long': '비밀번호는 128자 이하여야 합니다.',
  'more.password.control': '비밀번호에 제어 문자를 넣을 수 없습니다.',
  'more.password.mismatch': '새 비밀번호 두 개가 서로 다릅니다.',
  'more.password.same': '새 비밀번호는 현재 비밀번호와 달라야 합니다.',
  'more.password.agent_id': '상담원 ID(또는 ID에 숫자나 기호만 덧붙인 것)는 비밀번호로 쓸 수 없습니다.',
  'more.password.common': '너무 흔하거나 추측하기 쉬운 비밀번호입니다. 다른 비밀번호를 정하세요.',
  'more.password.wrong': '현재 비밀번호가 올바르지 않습니다.',
  'more.password.too_many': '잘못된 비밀번호 입력이 너무 많습니다. {seconds}초 후에 다시 시도하세요.',
  'more.password.busy_server': '서버가 바쁩니다. 잠시 후 다시 시도하세요.',
  'more.password.rejected': '새 비밀번호를 사용할 수 없습니다: {detail}',

  'more.terms.updated': '쉬운 말로 정리한 요약이며, 법률 자문이 아닙니다.',
  'more.terms.text': `## 서비스 제공자

스위치보드는 오픈소스 상담센터 소프트웨어입니다. 지금 사용하는 서비스는 이 서버를 운영하는 조직(보통 소속 회사 또는 회사가 운영을 맡긴 업체)이 제공합니다. 스위치보드 프로젝트는 이 서버를 운영하지 않고, 서버의 데이터를 볼 수 없으며, 이 약관의 당사자가 아닙니다.

## 이용 목적

- 앱은 소속 조직의 업무, 즉 고객 전화 수신·발신, 후처리 기록 작성, 조직의 상담 이력과 통계 확인에 사용하세요.
- 본인 계정만 사용하세요. 비밀번호는 다른 사람에게 알려 주지 말고, 누군가 알게 되었다고 생각되면 바로 변경하세요.
- 계정에 허용되지 않은 데이터나 기능에 접근하거나 서비스 운영을 방해하려고 해서는 안 됩니다.

## 통화 녹음

이 서비스로 응대한 고객 전화는 조직의 설정에 따라 녹음되며, 통화 기록과 상담 기록이 보관됩니다. 법이 요구하는 경우 고객에게 녹음 사실을 알려야 하며, 보통 조직의 안내 멘트에서 알립니다.

## 서비스 제공

서비스는 이 서버와 네트워크, 사용하는 기기의 상태에 따라 달라질 수 있습니다. 운영 조직은 서비스를 변경하거나 중단하거나 종료할 수 있습니다. 소프트웨어는 오픈소스 라이선스(오픈소스 라이선스 메뉴 참고)에 따라 "있는 그대로" 제공되며, 어떠한 보증도 하지 않습니다.

## 문의

관리자에게 묻거나 문의하기를 이용하세요. 이 페이지는 쉬운 말로 정리한 요약이며 법률 자문이 아닙니다. 조직의 자체 정책과 조직과 맺은 약정이 우선합니다.`,
  'more.privacy.text': `## 책임자

이 서버를 운영하는 조직이 어떤 정보를 얼마나 오래 보관하고 누가 볼 수 있는지 정하며, 그에 대한 책임을 집니다. 정보는 그 조직의 서버에만 저장되며, 스위치보드 프로젝트는 어떤 정보도 받지 않습니다.

## 저장하는 정보

- 계정: 조직, 상담원 ID, 이름, 담당 상담 메뉴, 그리고 단방향 해시로 바꾼 비밀번호(비밀번호 자체는 저장하지 않음).
- 로그인 세션: 세션의 시작·만료 시각과 접속한 네트워크 주소. 비밀번호 추측을 막기 위해 로그인 실패 횟수를 셉니다.
- 상담원 상태(수신대기, 휴식, 후처리, 통화 중)와 각 상태의 시작 시각. 통계는 이 정보로 만듭니다.
- 통화 기록: 전화번호, 상담 메뉴, 시각과 대기 시간, 응대한 상담원, 통화가 끝난 방식.
- 응대한 고객 통화의 녹음(양쪽 목소리)과, 누가 언제 어느 주소에서 녹음을 재생했는지.
- 상담원이 작성한 후처리 기록과 문의하기로 보낸 내용.

## 이 기기에 저장하는 정보

이 브라우저에는 로그아웃할 때까지 세션 토큰이 저장되고, 'ID 저장'을 선택한 경우 조직과 상담원 ID가 저장됩니다. 언어 설정도 저장됩니다. 그 밖의 정보는 저장하지 않습니다.

## 볼 수 있는 사람

같은 조직의 상담원은 이 앱에서 상담 이력, 상담 기록, 상태, 통계를 볼 수 있습니다. 관리자는 이 모든 정보를 보고 관리할 수 있습니다. 서버를 운영하는 담당자는 서버의 모든 정보에 접근할 수 있습니다.

## 보관 기간과 권리

정보는 조직이 정한 기간 동안 보관됩니다. 보관 기준과, 내 정보의 열람·정정·삭제에 대해서는 관리자에게 문의하세요. 이 페이지는 소프트웨어가 저장하는 정보를 설명할 뿐 법률 자문이 아니며, 권리에 관한 사항은 조직의 개인정보 처리방침과 관련 법령을 따릅니다.`,
};
