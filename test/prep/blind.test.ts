import { describe, expect, it } from 'vitest';
import { CANDIDATE, guessCandidateName, redactResume, REDACTED } from '../../server/prep/blind.ts';

const CHINESE_RESUME = `张伟
姓名：张伟 | 性别：男 | 年龄：28 | 民族：汉 | 婚姻状况：已婚
电话：138xxxxxxxx  邮箱：zhangwei@example.com  微信：zw_dev
手机 +86 139-1234-5678
出生日期：1995/03/12
现居：北京市海淀区中关村大街1号
男 / 28岁 / 本科 / 5年经验
照片：[照片]
工作经历
2019.07-2023.06 字节跳动 后端工程师，负责 Go 微服务开发，日均请求 3 亿次。
张伟主导了支付系统重构，QPS 提升 3 倍。
个人主页 https://zhangwei.dev  GitHub：github.com/zhangwei`;

const ENGLISH_RESUME = `Jane Q. Doe
Email: jane.doe@gmail.com | Phone: +1 (555) 123-4567 | linkedin.com/in/janedoe
Address: 12 Main St, Springfield, IL 62704
Gender: Female   Date of birth: March 3, 1990   Pronouns: she/her
Born in 1990, 34 years old. Marital status: married
![photo](jane.jpg)
Experience
Senior Engineer, Acme (2019-2023): Doe led the migration of 40 services to Kubernetes; cut p99 latency from 800 ms to 120 ms.
Call 555-123-4567 or visit www.janedoe.dev.`;

describe('redactResume (blind mode)', () => {
  it('removes every personal detail from a Chinese resume and keeps the work history', () => {
    const { text, removed } = redactResume(CHINESE_RESUME);
    for (const secret of ['张伟', '男', '28', '汉', '已婚', '138', 'zhangwei', 'zw_dev', '139-1234-5678', '1995', '海淀', '照片', 'https://', 'github.com']) {
      expect(text, `"${secret}" should be gone`).not.toContain(secret);
    }
    expect(text).toContain('2019.07-2023.06 字节跳动 后端工程师，负责 Go 微服务开发，日均请求 3 亿次。');
    expect(text).toContain(`${CANDIDATE}主导了支付系统重构，QPS 提升 3 倍。`);
    expect(text).toContain('本科 / 5年经验');
    expect(removed).toMatchObject({ name: 3, gender: 2, age: 2, 'birth-date': 1, email: 1, address: 1 });
    expect(removed.phone).toBeGreaterThanOrEqual(2);
  });

  it('removes every personal detail from an English resume and keeps the work history', () => {
    const { text, removed } = redactResume(ENGLISH_RESUME);
    for (const secret of ['Jane', 'Doe', 'gmail', '555', 'linkedin', 'Main St', 'Springfield', 'Female', 'March 3', '1990', '34 years', 'married', 'she/her', 'jane.jpg', 'janedoe']) {
      expect(text, `"${secret}" should be gone`).not.toContain(secret);
    }
    expect(text).toContain(`Senior Engineer, Acme (2019-2023): ${CANDIDATE} led the migration of 40 services to Kubernetes; cut p99 latency from 800 ms to 120 ms.`);
    expect(removed).toMatchObject({ email: 1, address: 1, gender: 2 });
    expect(removed.name).toBeGreaterThanOrEqual(2);
  });

  it('uses a name given by the caller (e.g. from an earlier parse) wherever it appears', () => {
    const { text } = redactResume('Senior engineer\nReferences: ask Wei Zhang or see Zhang\'s blog', { name: 'Wei Zhang' });
    expect(text).toBe(`Senior engineer\nReferences: ask ${CANDIDATE} or see ${CANDIDATE}'s blog`);
  });

  it('leaves year ranges, versions, numbers and technical words alone', () => {
    const work = 'Skills: Go 1.22, Java 17, PostgreSQL 15\n2015-2019 Acme; 2019.07-2023.06 字节跳动\nManaged a team of 12 (ages of systems: 10 years)\n男装电商平台后端开发';
    expect(redactResume(work).text).toBe(work);
  });

  it('finds the name from a labelled field or a plausible first line', () => {
    expect(guessCandidateName('简历\n姓名：李娜\n电话：13800000000')).toBe('李娜');
    expect(guessCandidateName('王芳 | 产品经理\n...')).toBe('王芳');
    expect(guessCandidateName('Jane Q. Doe\nEngineer')).toBe('Jane Q. Doe');
    expect(guessCandidateName('Curriculum Vitae\nJane Doe')).toBeNull();
    expect(guessCandidateName('Experienced engineer with 10 years in Go')).toBeNull();
  });

  it('never leaves a placeholder-only artefact of the original value', () => {
    const { text } = redactResume('性别：女\n年龄：31岁');
    expect(text).toBe(`性别：${REDACTED}\n年龄：${REDACTED}`);
  });
});
