// SPDX-License-Identifier: GPL-3.0-or-later
// The role -> permission policy: the shipped matrix (written out here independently of
// rbac.json, so an edit to the file that changes who may do what fails this test), tenant-defined
// roles, the grant escalation rule and the strict parser.
#include "core/RbacPolicy.h"

#include <QTest>

using namespace tenantry;

namespace {

const QStringList kPermissions = {
    QStringLiteral("project:read"),   QStringLiteral("project:create"),
    QStringLiteral("project:update"), QStringLiteral("project:delete"),
    QStringLiteral("member:read"),    QStringLiteral("member:manage"),
    QStringLiteral("member:invite"),  QStringLiteral("event:emit"),
    QStringLiteral("audit:read"),     QStringLiteral("audit:export"),
    QStringLiteral("branding:write"), QStringLiteral("flags:read"),
    QStringLiteral("flags:write"),    QStringLiteral("settings:read"),
    QStringLiteral("settings:write"), QStringLiteral("usage:read"),
};

// One column per entry of kPermissions, in that order; X = allowed.
struct MatrixRow {
    const char *role;
    const char *grants;
};
// clang-format off
const MatrixRow kMatrix[] = {
    //                project  member event audit brand flags settings usage
    //                r c u d  r m i  e     r e   w     r w   r w      r
    {"owner",         "XXXX" "XXX" "X"  "XX"  "X"   "XX"  "XX"     "X"},
    {"admin",         "XXXX" "XXX" "X"  "XX"  "X"   "XX"  "XX"     "X"},
    {"project_admin", "XXXX" "X.." "X"  "X."  "."   "X."  "X."     "X"},
    {"member",        "XX.." "X.." "X"  ".."  "."   "X."  ".."     "."},
    {"viewer",        "X..." "X.." "."  ".."  "."   "X."  ".."     "."},
    {"support",       "X..." "X.." "."  "X."  "."   "X."  "X."     "X"},
};
// clang-format on

QHash<QString, QStringList> customRoles() {
    return {
        {QStringLiteral("auditor"),
         {QStringLiteral("audit:read"), QStringLiteral("audit:export"),
          QStringLiteral("nonsense:perm"), QStringLiteral("*")}},
        // A tenant cannot redefine a built-in role.
        {QStringLiteral("viewer"), kPermissions},
        {QStringLiteral("nothing"), {}},
    };
}

QByteArray policyJson(const QByteArray &roles,
                      const QByteArray &permissions = R"(["a:read", "a:write"])") {
    return R"({"$comment": "test", "permissions": )" + permissions + R"(, "roles": )" + roles + "}";
}

} // namespace

class TestRbacPolicy : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void knownNames() {
        const RbacPolicy &policy = RbacPolicy::builtIn();
        QCOMPARE(policy.permissions(), kPermissions);
        QStringList roles;
        for (const MatrixRow &row : kMatrix)
            roles.append(QString::fromLatin1(row.role));
        roles.sort();
        QCOMPARE(policy.roles(), roles);
        for (const QString &p : kPermissions)
            QVERIFY(policy.isKnownPermission(p));
        QVERIFY(!policy.isKnownPermission(QStringLiteral("project:*")));
        QVERIFY(!policy.isKnownPermission(QStringLiteral("*")));
        QVERIFY(!policy.isKnownPermission(QString()));
        QVERIFY(policy.isBuiltInRole(QStringLiteral("owner")));
        QVERIFY(policy.isBuiltInRole(QStringLiteral("support")));
        QVERIFY(!policy.isBuiltInRole(QStringLiteral("Owner")));
        QVERIFY(!policy.isBuiltInRole(QStringLiteral("auditor")));
    }

    void matrix_data() {
        QTest::addColumn<QString>("role");
        QTest::addColumn<QString>("permission");
        QTest::addColumn<bool>("allowed");
        for (const MatrixRow &row : kMatrix) {
            const QByteArray grants(row.grants);
            QCOMPARE(grants.size(), kPermissions.size()); // the table itself is well-formed
            for (qsizetype i = 0; i < kPermissions.size(); ++i) {
                const QByteArray name = QByteArray(row.role) + ' ' + kPermissions.at(i).toUtf8();
                QTest::newRow(name.constData())
                    << QString::fromLatin1(row.role) << kPermissions.at(i) << (grants.at(i) == 'X');
            }
        }
    }
    void matrix() {
        QFETCH(QString, role);
        QFETCH(QString, permission);
        QFETCH(bool, allowed);
        const RbacPolicy &policy = RbacPolicy::builtIn();
        QCOMPARE(policy.allows({role}, permission), allowed);
        QCOMPARE(policy.permissionsFor({role}).contains(permission), allowed);
    }

    void unknownRolesAndPermissions() {
        const RbacPolicy &policy = RbacPolicy::builtIn();
        QVERIFY(policy.permissionsFor({QStringLiteral("ghost")}).isEmpty());
        QVERIFY(policy.permissionsFor({}).isEmpty());
        QVERIFY(!policy.allows({QStringLiteral("ghost")}, QStringLiteral("project:read")));
        QVERIFY(!policy.allows({QStringLiteral("owner")}, QStringLiteral("project:archive")));
        QVERIFY(!policy.allows({QStringLiteral("owner")}, QStringLiteral("*")));
        QVERIFY(!policy.allows({}, QStringLiteral("project:read")));
    }

    void unionOfRoles() {
        const RbacPolicy &policy = RbacPolicy::builtIn();
        const QStringList both =
            policy.permissionsFor({QStringLiteral("viewer"), QStringLiteral("support")});
        QCOMPARE(both,
                 QStringList({QStringLiteral("project:read"), QStringLiteral("member:read"),
                              QStringLiteral("audit:read"), QStringLiteral("flags:read"),
                              QStringLiteral("settings:read"), QStringLiteral("usage:read")}));
        QCOMPARE(policy.permissionsFor({QStringLiteral("owner")}), kPermissions);
        QCOMPARE(policy.permissionsFor({QStringLiteral("viewer"), QStringLiteral("ghost")}),
                 QStringList({QStringLiteral("project:read"), QStringLiteral("member:read"),
                              QStringLiteral("flags:read")}));
    }

    void customRolesAreFiltered() {
        const RbacPolicy &policy = RbacPolicy::builtIn();
        const auto custom = customRoles();
        QCOMPARE(policy.permissionsFor({QStringLiteral("auditor")}, custom),
                 QStringList({QStringLiteral("audit:read"), QStringLiteral("audit:export")}));
        QVERIFY(policy.allows({QStringLiteral("auditor")}, QStringLiteral("audit:export"), custom));
        // "*" in a tenant-defined role is not a wildcard, and unknown names grant nothing.
        QVERIFY(
            !policy.allows({QStringLiteral("auditor")}, QStringLiteral("project:read"), custom));
        QVERIFY(
            !policy.allows({QStringLiteral("auditor")}, QStringLiteral("nonsense:perm"), custom));
        // Without the custom map the role is unknown.
        QVERIFY(!policy.allows({QStringLiteral("auditor")}, QStringLiteral("audit:read")));
        // The built-in "viewer" wins over a tenant's attempt to redefine it.
        QVERIFY(
            !policy.allows({QStringLiteral("viewer")}, QStringLiteral("member:manage"), custom));
        QCOMPARE(policy.permissionsFor({QStringLiteral("viewer")}, custom),
                 policy.permissionsFor({QStringLiteral("viewer")}));
        QVERIFY(policy.permissionsFor({QStringLiteral("nothing")}, custom).isEmpty());
        QCOMPARE(
            policy.permissionsFor({QStringLiteral("viewer"), QStringLiteral("auditor")}, custom),
            QStringList({QStringLiteral("project:read"), QStringLiteral("member:read"),
                         QStringLiteral("audit:read"), QStringLiteral("audit:export"),
                         QStringLiteral("flags:read")}));
    }

    void canGrant_data() {
        QTest::addColumn<QStringList>("grantor");
        QTest::addColumn<QString>("role");
        QTest::addColumn<bool>("expected");
        const auto r = [](const char *name) { return QString::fromLatin1(name); };
        QTest::newRow("admin grants member") << QStringList{r("admin")} << r("member") << true;
        QTest::newRow("project_admin cannot grant admin")
            << QStringList{r("project_admin")} << r("admin") << false;
        QTest::newRow("member cannot grant owner")
            << QStringList{r("member")} << r("owner") << false;
        QTest::newRow("owner grants admin") << QStringList{r("owner")} << r("admin") << true;
        QTest::newRow("admin grants owner (same permissions)")
            << QStringList{r("admin")} << r("owner") << true;
        QTest::newRow("member grants viewer") << QStringList{r("member")} << r("viewer") << true;
        QTest::newRow("viewer cannot grant member")
            << QStringList{r("viewer")} << r("member") << false;
        QTest::newRow("project_admin grants member")
            << QStringList{r("project_admin")} << r("member") << true;
        QTest::newRow("project_admin grants support")
            << QStringList{r("project_admin")} << r("support") << true;
        QTest::newRow("member cannot grant support")
            << QStringList{r("member")} << r("support") << false;
        QTest::newRow("support cannot grant project_admin")
            << QStringList{r("support")} << r("project_admin") << false;
        QTest::newRow("roles combine: member+support grant project_admin? no (update/delete)")
            << QStringList{r("member"), r("support")} << r("project_admin") << false;
        QTest::newRow("roles combine: viewer+support grant support")
            << QStringList{r("viewer"), r("support")} << r("support") << true;
        QTest::newRow("nobody grants viewer") << QStringList{} << r("viewer") << false;
        QTest::newRow("unknown role cannot be granted")
            << QStringList{r("owner")} << r("ghost") << false;
        QTest::newRow("project_admin cannot grant custom auditor (audit:export)")
            << QStringList{r("project_admin")} << r("auditor") << false;
        QTest::newRow("admin grants custom auditor")
            << QStringList{r("admin")} << r("auditor") << true;
        QTest::newRow("custom auditor cannot grant viewer")
            << QStringList{r("auditor")} << r("viewer") << false;
    }
    void canGrant() {
        QFETCH(QStringList, grantor);
        QFETCH(QString, role);
        QFETCH(bool, expected);
        QCOMPARE(RbacPolicy::builtIn().canGrant(grantor, role, customRoles()), expected);
    }

    void fromJsonAccepts() {
        QString error;
        const auto policy = RbacPolicy::fromJson(
            policyJson(R"({"all": ["*"], "reader": ["a:read"], "none": []})"), &error);
        QVERIFY2(policy, qPrintable(error));
        QCOMPARE(policy->permissions(),
                 QStringList({QStringLiteral("a:read"), QStringLiteral("a:write")}));
        QCOMPARE(policy->roles(), QStringList({QStringLiteral("all"), QStringLiteral("none"),
                                               QStringLiteral("reader")}));
        QVERIFY(policy->allows({QStringLiteral("all")}, QStringLiteral("a:write")));
        QVERIFY(!policy->allows({QStringLiteral("reader")}, QStringLiteral("a:write")));
        QVERIFY(policy->permissionsFor({QStringLiteral("none")}).isEmpty());
    }

    void fromJsonRejects_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("reasonPart");
        QTest::newRow("unknown permission in role")
            << policyJson(R"({"r": ["a:read", "b:read"]})") << QStringLiteral("b:read");
        QTest::newRow("role not an array")
            << policyJson(R"({"r": "a:read"})") << QStringLiteral("array");
        QTest::newRow("role is an object")
            << policyJson(R"({"r": {"a:read": true}})") << QStringLiteral("array");
        QTest::newRow("empty role name")
            << policyJson(R"({"": ["a:read"]})") << QStringLiteral("role name");
        QTest::newRow("uppercase role name")
            << policyJson(R"({"Admin": ["a:read"]})") << QStringLiteral("role name");
        QTest::newRow("role name with space")
            << policyJson(R"({"a b": ["a:read"]})") << QStringLiteral("role name");
        QTest::newRow("duplicate role") << policyJson(R"({"r": ["a:read"], "r": ["a:write"]})")
                                        << QStringLiteral("not valid JSON");
        QTest::newRow("permission listed twice in role")
            << policyJson(R"({"r": ["a:read", "a:read"]})") << QStringLiteral("twice");
        QTest::newRow("wildcard among others")
            << policyJson(R"({"r": ["*", "a:read"]})") << QStringLiteral("\"*\"");
        QTest::newRow("non-string grant")
            << policyJson(R"({"r": [1]})") << QStringLiteral("unknown");
        QTest::newRow("bad permission name")
            << policyJson(R"({"r": []})", R"(["a:read", "nocolon"])") << QStringLiteral("nocolon");
        QTest::newRow("empty permission name")
            << policyJson(R"({"r": []})", R"(["a:read", ""])") << QStringLiteral("permission name");
        QTest::newRow("duplicate permission")
            << policyJson(R"({"r": []})", R"(["a:read", "a:read"])") << QStringLiteral("twice");
        QTest::newRow("permissions not an array")
            << policyJson(R"({"r": []})", R"("a:read")") << QStringLiteral("permissions");
        QTest::newRow("no permissions")
            << policyJson(R"({"r": []})", "[]") << QStringLiteral("permissions");
        QTest::newRow("no roles") << policyJson("{}") << QStringLiteral("roles");
        QTest::newRow("roles an array") << policyJson(R"([["a:read"]])") << QStringLiteral("roles");
        QTest::newRow("unknown member")
            << QByteArray(R"({"permissions": ["a:read"], "roles": {"r": []}, "rolez": {}})")
            << QStringLiteral("rolez");
        QTest::newRow("comment not a string")
            << QByteArray(R"({"$comment": 1, "permissions": ["a:read"], "roles": {"r": []}})")
            << QStringLiteral("$comment");
        QTest::newRow("not JSON") << QByteArray("{\"permissions\": [") << QStringLiteral("JSON");
        QTest::newRow("not an object") << QByteArray("[]") << QStringLiteral("JSON");
    }
    void fromJsonRejects() {
        QFETCH(QByteArray, json);
        QFETCH(QString, reasonPart);
        QString error;
        QVERIFY(!RbacPolicy::fromJson(json, &error));
        QVERIFY2(error.contains(reasonPart), qPrintable(error));
        QVERIFY(!RbacPolicy::fromJson(json, nullptr)); // error is optional
    }
};

QTEST_GUILESS_MAIN(TestRbacPolicy)
#include "tst_rbac_policy.moc"
