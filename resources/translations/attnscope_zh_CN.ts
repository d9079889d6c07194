<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>AppOptions</name>
    <message>
        <location filename="../../app/gui/app_options.cpp" line="+13"/>
        <source>usage: attnscope [FLAGS]
Opens the lab on the built-in sample (or a file) and runs the chosen variants.

window flags:
  --compare ID,ID,...  variants shown next to the primary one (--variant)
  --head H             the head the maps show (default 0)
  --view PAGE          compare (default), scaling, tradeoff, profile, runs, explorer, lessons
  --session FILE       open a saved .attnscope session
  --screenshot FILE    save the page once its results are in, then exit
  --lesson ID|FILE     start a lesson: a built-in one (sparse-windows, low-rank,
                       cost-scaling) or a lesson JSON file
  --step N             the lesson step to start at (default 1)
  --lesson-shots DIR   save every step of the lesson as DIR/step-NN.png, then exit
  --present            presentation mode: full screen, large type (F11 toggles)
  --lang LANG          interface language: en or zh_CN (default: the one chosen in
                       View &gt; Language, else the system&apos;s)
  --restart-from FILE  used by the window when it restarts in another language:
                       reopens as it was, with the session saved in FILE

run flags (as attnscope-cli run):
</source>
        <translation>用法：attnscope [选项]
在内置样例（或某个文件）上打开实验室，并运行所选的变体。

窗口选项：
  --compare ID,ID,...  与主变体（--variant）并排显示的变体
  --head H             图中显示的头（默认 0）
  --view PAGE          compare（默认）、scaling、tradeoff、profile、runs、explorer、lessons
  --session FILE       打开已保存的 .attnscope 会话
  --screenshot FILE    页面结果就绪后保存截图，然后退出
  --lesson ID|FILE     开始一节课程：内置课程（sparse-windows、low-rank、
                       cost-scaling）或课程 JSON 文件
  --step N             从课程的第几步开始（默认 1）
  --lesson-shots DIR   把课程的每一步保存为 DIR/step-NN.png，然后退出
  --present            演示模式：全屏、大字号（F11 切换）
  --lang LANG          界面语言：en 或 zh_CN（默认：视图 &gt; 语言 中所选，
                       否则跟随系统）
  --restart-from FILE  窗口换用另一种语言重新启动时使用：
                       按原样重新打开，会话取自 FILE

运行选项（同 attnscope-cli run）：
</translation>
    </message>
</context>
<context>
    <name>LessonPlayer</name>
    <message>
        <location filename="../../app/gui/lesson_player.cpp" line="+73"/>
        <source>no lesson file or built-in lesson &apos;%1&apos; (built in: %2)</source>
        <translation>没有名为“%1”的课程文件或内置课程（内置课程：%2）</translation>
    </message>
</context>
<context>
    <name>Screenshot</name>
    <message>
        <location filename="../../app/gui/screenshot.cpp" line="+29"/>
        <source>--view: unknown page &apos;%1&apos; (pages: %2)</source>
        <translation>--view：未知页面“%1”（可用页面：%2）</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>cannot write screenshot &apos;%1&apos;</source>
        <translation>无法写入截图“%1”</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>screenshot written to %1</source>
        <translation>截图已写入 %1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>the %1 page had no results after %2 s</source>
        <translation>%1 页面在 %2 秒后仍无结果</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>--lesson-shots: no lesson is running</source>
        <translation>--lesson-shots：没有正在进行的课程</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>--lesson-shots: cannot create the folder &apos;%1&apos;</source>
        <translation>--lesson-shots：无法创建文件夹“%1”</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>step %1 had no results after %2 s</source>
        <translation>第 %1 步在 %2 秒后仍没有结果</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>cannot write &apos;%1&apos;</source>
        <translation>无法写入“%1”</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 step(s) written to %2</source>
        <translation>已将 %1 步写入 %2</translation>
    </message>
</context>
<context>
    <name>Units</name>
    <message>
        <location filename="../../views/metrics_card.cpp" line="+22"/>
        <source>%1 µs</source>
        <translation>%1 µs</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>B</source>
        <translation>B</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>KiB</source>
        <translation>KiB</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>MiB</source>
        <translation>MiB</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GiB</source>
        <translation>GiB</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>TiB</source>
        <translation>TiB</translation>
    </message>
</context>
<context>
    <name>attnscope::CompareColumn</name>
    <message>
        <location filename="../../app/gui/pages/compare_column.cpp" line="+20"/>
        <source>%1, head %2, n = %3</source>
        <translation>%1，头 %2，n = %3</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>, rows %1..%2, columns %3..%4</source>
        <translation>，行 %1..%2，列 %3..%4</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>, exact</source>
        <translation>，精确</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>, pooled %1×%2</source>
        <translation>，池化为 %1×%2</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>computed</source>
        <translation>已计算</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>%1 (running…)</source>
        <translation>%1（运行中…）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>%1 did not run: %2</source>
        <translation>%1 未能运行：%2</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>%1: singular values of A</source>
        <translation>%1：A 的奇异值</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>No spectrum for this run.</source>
        <translation>本次运行没有谱。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1: memory</source>
        <translation>%1：记忆</translation>
    </message>
</context>
<context>
    <name>attnscope::ComparePage</name>
    <message>
        <location filename="../../app/gui/pages/compare_page.cpp" line="+34"/>
        <source>Show computed pairs</source>
        <translation>显示计算的配对</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Scale</source>
        <translation>刻度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Log</source>
        <translation>对数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Linear</source>
        <translation>线性</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Square root</source>
        <translation>平方根</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Row-normalised (log)</source>
        <translation>按行归一化（对数）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Log shows weak long-range links beside the strong diagonal; row-normalised scales each query by its own largest weight</source>
        <translation>对数刻度能在强对角线旁显出微弱的长程联系；按行归一化以每个查询自身的最大权重缩放该行</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Lay the pairs each variant scores over its map</source>
        <translation>在注意力图上叠加每个变体实际计算的配对</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Hover a map: i, j, both tokens and every variant&apos;s weight appear here. Wheel zooms, drag pans, double-click resets.</source>
        <translation>将鼠标悬停在图上：此处显示 i、j、两个 token 以及每个变体的权重。滚轮缩放，拖动平移，双击复位。</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Region of %1: %2</source>
        <translation>%1 的区域：%2</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Check at least one variant to compare.</source>
        <translation>请至少勾选一个变体进行对比。</translation>
    </message>
    <message>
        <location line="+96"/>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>–</source>
        <translation>–</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>i = %1%2, j = %3%4  ·  %5</source>
        <translation>i = %1%2，j = %3%4  ·  %5</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>Recomputing rows %1..%2, columns %3..%4</source>
        <translation>正在重新计算第 %1..%2 行、第 %3..%4 列</translation>
    </message>
    <message>
        <location filename="../../app/gui/pages/compare_page.hpp" line="+32"/>
        <source>Compare</source>
        <translation>对比</translation>
    </message>
</context>
<context>
    <name>attnscope::EngineMessage</name>
    <message>
        <location filename="../../views/engine_message.cpp" line="+23"/>
        <source>memory guard: %1 would need %2 but the budget is %3 (%4); nothing was allocated</source>
        <translation>内存保护：%1 需要 %2，但预算只有 %3（%4）；没有分配任何内存</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 at n = %2, heads = %3, d = %4 (input and Q/K/V)</source>
        <translation>%1，n = %2，%3 个头，d = %4（输入与 Q/K/V）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 at n = %2, heads = %3, d = %4</source>
        <translation>%1，n = %2，%3 个头，d = %4</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 at n = %2</source>
        <translation>%1，n = %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>host memory</source>
        <translation>主机内存</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>parameter &apos;%1&apos; = %2 is out of range: allowed %3</source>
        <translation>参数 &apos;%1&apos; = %2 超出范围（允许：%3）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>parameter &apos;%1&apos; = &apos;%2&apos; is not an integer (allowed %3)</source>
        <translation>参数 &apos;%1&apos; = &apos;%2&apos; 不是整数（允许 %3）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>parameter &apos;%1&apos; = &apos;%2&apos; is not a number (allowed %3)</source>
        <translation>参数 &apos;%1&apos; = &apos;%2&apos; 不是数字（允许 %3）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>parameter &apos;%1&apos; = &apos;%2&apos; is not true or false</source>
        <translation>参数 &apos;%1&apos; = &apos;%2&apos; 不是 true 或 false</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>parameter &apos;%1&apos; = &apos;%2&apos; is not a comma-separated list of indices (&apos;%3&apos;)</source>
        <translation>参数 &apos;%1&apos; = &apos;%2&apos; 不是逗号分隔的下标列表（&apos;%3&apos;）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>parameter &apos;%1&apos; lists more than 1000000 indices</source>
        <translation>参数 &apos;%1&apos; 列出的下标超过 1000000 个</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>parameter &apos;%1&apos; is not a valid regular expression: %2</source>
        <translation>参数 &apos;%1&apos; 不是有效的正则表达式：%2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>comma-separated indices in [%1, %2]</source>
        <translation>范围 [%1, %2] 内的逗号分隔下标</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>one of %1</source>
        <translation>%1 之一</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>unknown parameter &apos;%1&apos; (this variant takes no parameters)</source>
        <translation>未知参数 &apos;%1&apos;（该变体没有参数）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>unknown parameter &apos;%1&apos; (known: %2)</source>
        <translation>未知参数 &apos;%1&apos;（已知：%2）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>unknown variant &apos;%1&apos; (known: %2)</source>
        <translation>未知变体 &apos;%1&apos;（已知：%2）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>longformer: global_indices holds %1, outside the sequence [0, %2] (n = %3)</source>
        <translation>longformer：global_indices 含有 %1，超出序列范围 [0, %2]（n = %3）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>topk_dynamic: topk and local_blocks are both 0, so no query would attend anything; set topk &gt;= 1 or local_blocks &gt;= 1</source>
        <translation>topk_dynamic：topk 和 local_blocks 都是 0，任何查询都不会关注任何键；请设 topk &gt;= 1 或 local_blocks &gt;= 1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>memory_slots reads its slots as keys and as values, so V must be as wide as Q and K (d = %1, dv = %2)</source>
        <translation>memory_slots 把记忆槽同时当作键和值读取，因此 V 的宽度必须与 Q、K 相同（d = %1，dv = %2）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>linformer has no causal form: its projections E K and F V mix every position, later ones included</source>
        <translation>linformer 没有因果形式：它的投影 E K 和 F V 混合了所有位置，包括后面的位置</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 has no causal form</source>
        <translation>%1 没有因果形式</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>n must be in [1, %1], got %2</source>
        <translation>n 必须在 [1, %1] 之内，实际为 %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sample length %1 exceeds the limit of %2 tokens</source>
        <translation>样例长度 %1 超过上限 %2 个 token</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>unknown sample &apos;%1&apos; (known: %2)</source>
        <translation>未知样例 &apos;%1&apos;（已知：%2）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>backend &apos;%1&apos; is not available: %2</source>
        <translation>后端 &apos;%1&apos; 不可用：%2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>backend &apos;%1&apos;: %2</source>
        <translation>后端 &apos;%1&apos;：%2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1: line %2: %3</source>
        <translation>%1：第 %2 行：%3</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: at byte %2: %3</source>
        <translation>%1：第 %2 字节处：%3</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: cannot open file (%2)</source>
        <translation>%1：无法打开文件（%2）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: not a regular file</source>
        <translation>%1：不是普通文件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: file is empty</source>
        <translation>%1：文件为空</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: cannot open for writing</source>
        <translation>%1：无法打开以写入</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1: kept the first %2 of %3 positions (the position cap)</source>
        <translation>%1：只保留了 %3 个位置中的前 %2 个（位置数上限）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: %2 non-finite values kept (first at byte %3)</source>
        <translation>%1：保留了 %2 个非有限值（第一个在第 %3 字节处）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: %2 non-finite values kept (allowed by the options)</source>
        <translation>%1：保留了 %2 个非有限值（选项允许）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: read as %2 with partners %3 and %4</source>
        <translation>%1：作为 %2 读取，配对文件为 %3 和 %4</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: one [H, n, d] array used as Q, K and V (give --role q|k|v with partner files to pair them)</source>
        <translation>%1：同一个 [H, n, d] 数组同时用作 Q、K 和 V（如需配对，请用 --role q|k|v 并提供配对文件）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: tensor %2 used as Q, K and V</source>
        <translation>%1：张量 %2 同时用作 Q、K 和 V</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: record &apos;%2&apos; stopped at the token cap of %3</source>
        <translation>%1：记录 &apos;%2&apos; 在 token 上限 %3 处截止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: %2 lower-case (soft-masked) bases read as upper case</source>
        <translation>%1：%2 个小写（软屏蔽）碱基按大写读取</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: %2 gap characters (&apos;-&apos;, &apos;.&apos;, &apos;*&apos;) skipped</source>
        <translation>%1：跳过了 %2 个空位字符（&apos;-&apos;、&apos;.&apos;、&apos;*&apos;）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: %2 missing values interpolated</source>
        <translation>%1：插值补上了 %2 个缺失值</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: %2 rows with missing values skipped</source>
        <translation>%1：跳过了 %2 行含缺失值的数据</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: stopped at the position cap of %2</source>
        <translation>%1：在位置数上限 %2 处停止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: stopped at the token cap of %2; the rest of the file was not read</source>
        <translation>%1：在 token 上限 %2 处停止；文件其余部分未读取</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: not valid UTF-8 (at byte %2); read as Latin-1</source>
        <translation>%1：不是有效的 UTF-8（第 %2 字节处）；按 Latin-1 读取</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: invalid UTF-8 at byte %2; such bytes were read as Latin-1</source>
        <translation>%1：第 %2 字节处 UTF-8 无效；这类字节按 Latin-1 读取</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>input has %1 positions, fewer than n = %2; using all of them</source>
        <translation>输入只有 %1 个位置，少于 n = %2；全部使用</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>cropped to the first %1 of %2 positions (n)</source>
        <translation>截取为 %2 个位置中的前 %1 个（n）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>transformer_xl is causal by construction (its memory holds earlier positions only)</source>
        <translation>transformer_xl 本身就是因果的（它的记忆只保存更早的位置）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>gaussian F: rows of the map need not be non-negative or sum to 1 (A = softmax(s Q (E K)^T) F)</source>
        <translation>高斯 F：注意力图的行不一定非负，也不一定和为 1（A = softmax(s Q (E K)^T) F）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>k = %1 exceeds n = %2; used k = %3</source>
        <translation>k = %1 超过 n = %2；实际使用 k = %3</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>bf16: Q, K, V and P rounded to bf16, products accumulated in fp32 (%1); the map and spectrum use fp32 probabilities</source>
        <translation>bf16：Q、K、V 和 P 舍入为 bf16，乘积以 fp32 累加（%1）；注意力图和奇异值谱使用 fp32 概率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>map shows the token-to-token part (slot weights folded onto tokens through provenance)</source>
        <translation>注意力图显示 token 与 token 之间的部分（记忆槽的权重按来源折算到 token 上）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>memory trace keeps one segment in %1 (at most %2 snapshots)</source>
        <translation>记忆轨迹每 %1 个段保留一个（最多 %2 个快照）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>provenance omitted from the memory trace for n &gt; %1</source>
        <translation>n &gt; %1 时记忆轨迹不含来源信息</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>provenance kept for the earlier snapshots and the last one only (size budget)</source>
        <translation>只为较早的快照和最后一个快照保留来源信息（大小预算）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A computed on the cpu: %1</source>
        <translation>A 在 CPU 上计算：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 is unavailable: %2</source>
        <translation>%1 不可用：%2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A formed in fp32 on the cpu (%1)</source>
        <translation>A 在 CPU 上以 fp32 构成（%1）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no token pair is scored one by one (A is formed through factors), so the computed-pair mask is empty</source>
        <translation>没有逐对计算分数的 token 对（A 由因子构成），因此计算的配对掩码为空</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>load input</source>
        <translation>载入输入</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>featurize (embeddings, Q/K/V projections)</source>
        <translation>特征化（嵌入、Q/K/V 投影）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>warm-up %1</source>
        <translation>预热 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>repeat %1</source>
        <translation>第 %1 次重复</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>head %1</source>
        <translation>头 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>host (runs and heads)</source>
        <translation>主机（运行与各头）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>worker %1 phase totals</source>
        <translation>工作线程 %1 阶段合计</translation>
    </message>
</context>
<context>
    <name>attnscope::EngineText</name>
    <message>
        <location filename="../../views/engine_text.cpp" line="+19"/>
        <source>true or false</source>
        <translation>true 或 false</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>one of %1</source>
        <translation>取值之一：%1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>comma-separated indices in %1</source>
        <translation>逗号分隔的下标，范围 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>any text</source>
        <translation>任意文本</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>input</source>
        <translation>输入</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>dense reference</source>
        <translation>稠密参照</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 at n = %2</source>
        <translation>%1，n = %2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>warm-up %1</source>
        <translation>预热 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>repeat %1</source>
        <translation>第 %1 次重复</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>loading input</source>
        <translation>正在加载输入</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 (%2, %3)</source>
        <translation>%1（%2，%3）</translation>
    </message>
</context>
<context>
    <name>attnscope::ExplorerPage</name>
    <message>
        <location filename="../../app/gui/pages/explorer_page.cpp" line="+56"/>
        <source>The explorer cannot draw here: %1. The other pages work without it.</source>
        <translation>探索器无法在此绘制：%1。其他页面不受影响。</translation>
    </message>
    <message>
        <location line="+224"/>
        <source>computed pairs</source>
        <translation>计算的配对</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>%1 leaves no pair out: every query mixes every key through a product of rank k. Its map is on the right and on Compare.</source>
        <translation>%1 不遗漏任何配对：每个查询都通过秩为 k 的乘积混合所有键。它的注意力图在右侧和“对比”页上。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 sees its own block pair by pair and every other block through one summary: no pair is left out, the far ones are blurred.</source>
        <translation>%1 在自身块内逐对计算，对其他每个块只看一个摘要：没有配对被遗漏，远处的被模糊了。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 carries memory between segments: what a token sees depends on what earlier segments wrote, not on a fixed set of pairs.</source>
        <translation>%1 在段与段之间传递记忆：一个 token 能看到什么取决于之前的段写入了什么，而不是一组固定的配对。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>tokens</source>
        <translation>token 数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>pairs computed</source>
        <translation>计算的配对</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1 (%2% of n², %3)</source>
        <translation>%1（占 n² 的 %2%，%3）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>exact</source>
        <translation>精确值</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>cost model</source>
        <translation>代价模型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>FLOPs per head</source>
        <translation>每个头的 FLOPs</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1 (%2× dense)</source>
        <translation>%1（稠密的 %2×）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>workspace</source>
        <translation>工作区</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>complexity</source>
        <translation>复杂度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>computed in</source>
        <translation>计算耗时</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <location filename="../../app/gui/pages/explorer_page.hpp" line="+29"/>
        <source>Explorer</source>
        <translation>探索器</translation>
    </message>
</context>
<context>
    <name>attnscope::ExplorerView</name>
    <message>
        <location filename="../../views/explorer_view.cpp" line="+161"/>
        <source>No variants.</source>
        <translation>没有变体。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Variant</source>
        <translation>变体</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Causal</source>
        <translation>因果</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>This variant has no causal form</source>
        <translation>该变体没有因果形式</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No parameters: the mask follows from n alone.</source>
        <translation>没有参数：掩码只由 n 决定。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>allowed: %1</source>
        <translation>允许值：%1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Drag a slider: the mask follows at once; the compare columns rerun when you let go.</source>
        <translation>拖动滑块：掩码立即跟随；松开后对比列重新运行。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Click the strip above the mask to make a token global; drag a marker to move it, right-click one to remove it.</source>
        <translation>点击计算配对图上方的横条，把该处的 token 设为全局 token；拖动标记可移动它，右键点击标记可删除它。</translation>
    </message>
    <message>
        <location line="+89"/>
        <source>updating…</source>
        <translation>更新中…</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Computed pairs (%1 × %1)</source>
        <translation>计算的配对（%1 × %1）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Computed pairs, rows %1–%2 × keys %3–%4 (double-click: all)</source>
        <translation>计算的配对：行 %1–%2 × 键 %3–%4（双击：查看全部）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>; tall cells sampled</source>
        <translation>；高单元格为抽样估计</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Effective map, tokens 0–%1</source>
        <translation>有效注意力图，token 0–%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Effective map, rows %1–%2 × keys %3–%4</source>
        <translation>有效注意力图：行 %1–%2 × 键 %3–%4</translation>
    </message>
    <message>
        <location filename="../../views/explorer_token_strip.cpp" line="+95"/>
        <source>click here to add a global token</source>
        <translation>点击此处添加全局 token</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>global token %1
drag to move it, right-click to remove it</source>
        <translation>全局 token %1
拖动可移动，右键点击可删除</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>token %1
click: make it global (%2)</source>
        <translation>token %1
点击：设为全局 token（%2）</translation>
    </message>
    <message>
        <location filename="../../views/explorer_view.cpp" line="+52"/>
        <source>query i %1
key j %2
</source>
        <translation>查询 i %1
键 j %2
</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1% of the pairs computed</source>
        <translation>计算了 %1% 的配对</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>mean weight</source>
        <translation>平均权重</translation>
    </message>
</context>
<context>
    <name>attnscope::HeatmapView</name>
    <message>
        <location filename="../../views/heatmap_view.cpp" line="+343"/>
        <source>%1 = %2%3
%4 = %5%6
%7 = %8</source>
        <translation>%1 = %2%3
%4 = %5%6
%7 = %8</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 = %2..%3, %4 = %5..%6
mean %7 = %8</source>
        <translation>%1 = %2..%3，%4 = %5..%6
平均 %7 = %8</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>max = %1</source>
        <translation>最大值 = %1</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>No map yet</source>
        <translation>暂无注意力图</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>%1 / row max</source>
        <translation>%1 / 行最大值</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+2"/>
        <source>%1 = %2</source>
        <translation>%1 = %2</translation>
    </message>
</context>
<context>
    <name>attnscope::ImGuiCanvas</name>
    <message>
        <location filename="../../views/imgui_canvas.cpp" line="+200"/>
        <source>OpenGL 3 or later is needed (the context is %1.%2)</source>
        <translation>需要 OpenGL 3 或更高版本（当前上下文为 %1.%2）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>the OpenGL renderer did not start</source>
        <translation>OpenGL 渲染器未能启动</translation>
    </message>
</context>
<context>
    <name>attnscope::JobRunner</name>
    <message>
        <location filename="../../app/gui/job_runner.cpp" line="+60"/>
        <source>out of memory</source>
        <translation>内存不足</translation>
    </message>
    <message>
        <location line="+121"/>
        <source>no variant is checked</source>
        <translation>没有勾选任何变体</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>loading the input</source>
        <translation>正在加载输入</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>cropped to the first %1 of %2 positions</source>
        <translation>已截取 %2 个位置中的前 %1 个</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>%1/%2 %3: %4</source>
        <translation>%1/%2 %3：%4</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>%1/%2 %3: analysing</source>
        <translation>%1/%2 %3：分析中</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>metrics against dense are left out above n = %1</source>
        <translation>n 超过 %1 时不计算与稠密注意力对比的指标</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>no input to recompute the region on</source>
        <translation>没有可用于重新计算该区域的输入</translation>
    </message>
</context>
<context>
    <name>attnscope::LessonBar</name>
    <message>
        <location filename="../../app/gui/lesson_bar.cpp" line="+29"/>
        <source>◀ Previous</source>
        <translation>◀ 上一步</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next ▶</source>
        <translation>下一步 ▶</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>End lesson</source>
        <translation>结束课程</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Previous step (Alt+Left)</source>
        <translation>上一步（Alt+Left）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next step (Alt+Right)</source>
        <translation>下一步（Alt+Right）</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>%1 — step %2 of %3</source>
        <translation>%1 — 第 %2 步，共 %3 步</translation>
    </message>
</context>
<context>
    <name>attnscope::LessonPlayer</name>
    <message>
        <location filename="../../app/gui/lesson_player.cpp" line="+52"/>
        <source>step %1 asks for the page &apos;%2&apos;, which this window does not have</source>
        <translation>第 %1 步要求显示页面“%2”，但本窗口没有这个页面</translation>
    </message>
</context>
<context>
    <name>attnscope::LessonRecorder</name>
    <message>
        <location filename="../../app/gui/lesson_recorder.cpp" line="+23"/>
        <source>the input %1 is not part of the lesson (lessons use the built-in samples); the step keeps the viewer&apos;s input</source>
        <translation>输入 %1 不会写入课程（课程只使用内置样例）；该步骤沿用观看者自己的输入</translation>
    </message>
</context>
<context>
    <name>attnscope::LessonStepDialog</name>
    <message>
        <location filename="../../app/gui/lesson_step_dialog.cpp" line="+28"/>
        <source>What to look at, and what to try (shown in the lesson bar)</source>
        <translation>要看什么、可以试什么（显示在课程栏中）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Text</source>
        <translation>正文</translation>
    </message>
</context>
<context>
    <name>attnscope::LessonsPage</name>
    <message>
        <location filename="../../app/gui/pages/lessons_page.cpp" line="+23"/>
        <location filename="../../app/gui/pages/lessons_page.hpp" line="+25"/>
        <source>Lessons</source>
        <translation>课程</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Open lesson file…</source>
        <translation>打开课程文件…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A lesson is a JSON file: steps with text, a preset and the page to show (docs/lessons.md)</source>
        <translation>课程是一个 JSON 文件：由若干步骤组成，每步包含说明文字、预设和要显示的页面（见 docs/lessons.md）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your own lesson: set up a page, then View → Add View to Lesson… (Ctrl+Shift+L). Its steps appear here to play and save.</source>
        <translation>自己的课程：先把页面设置好，再选择 视图 → 将当前视图加入课程…（Ctrl+Shift+L）。步骤会出现在这里，可以播放和保存。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Steps</source>
        <translation>步骤</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Start lesson</source>
        <translation>开始课程</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Runs the lesson from the chosen step; the lesson bar above the pages steps through it (Alt+Right, Alt+Left). F11: presentation mode</source>
        <translation>从所选步骤开始课程；页面上方的课程栏逐步推进（Alt+Right、Alt+Left）。F11：演示模式</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Save lesson…</source>
        <translation>保存课程…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Writes the lesson as a JSON file to edit and share (docs/lessons.md)</source>
        <translation>把课程写成 JSON 文件，便于编辑和分享（docs/lessons.md）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Copy to my lesson</source>
        <translation>复制到我的课程</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Adds this lesson&apos;s steps to your own lesson, to edit, reorder and save</source>
        <translation>把这节课的步骤加入自己的课程，以便编辑、调整顺序和保存</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Edit step…</source>
        <translation>编辑步骤…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The chosen step&apos;s title and text (its input, variants and page stay)</source>
        <translation>所选步骤的标题和正文（其输入、变体和页面保持不变）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Move up</source>
        <translation>上移</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Move down</source>
        <translation>下移</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Remove step</source>
        <translation>删除步骤</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Removes the chosen step from your own lesson</source>
        <translation>从自己的课程中删除所选步骤</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Edit step</source>
        <translation>编辑步骤</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Step %1 of your lesson: its title and text.</source>
        <translation>你的课程第 %1 步：标题和正文。</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>My lesson</source>
        <translation>我的课程</translation>
    </message>
    <message numerus="yes">
        <location line="+17"/>
        <source>%1 (%n step(s), not saved)</source>
        <translation>
            <numerusform>%1（%n 步，未保存）</numerusform>
        </translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Your lesson in the session could not be read: %1</source>
        <translation>会话中的自制课程无法读取：%1</translation>
    </message>
    <message numerus="yes">
        <location line="+8"/>
        <source>%n step(s) of “%1” added to your lesson</source>
        <translation>
            <numerusform>“%1”的 %n 个步骤已加入你的课程</numerusform>
        </translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Could not save the lesson: %1</source>
        <translation>无法保存课程：%1</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Save lesson</source>
        <translation>保存课程</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Lessons (*.json)</source>
        <translation>课程 (*.json)</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>%1. %2  (%3)</source>
        <translation>%1. %2  （%3）</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Could not open the lesson: %1</source>
        <translation>无法打开课程：%1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Open lesson</source>
        <translation>打开课程</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Lessons (*.json);;All files (*)</source>
        <translation>课程 (*.json);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>attnscope::MainWindow</name>
    <message>
        <location filename="../../app/gui/main_window.cpp" line="+42"/>
        <source>AttnScope</source>
        <translation>AttnScope</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>--view: unknown page &apos;%1&apos; (pages: %2)</source>
        <translation>--view：未知页面“%1”（可用页面：%2）</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Sequence</source>
        <translation>序列</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Variants</source>
        <translation>变体</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Open…</source>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Open &amp;Session…</source>
        <translation>打开会话(&amp;S)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ctrl+Shift+O</source>
        <translation>Ctrl+Shift+O</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save Session…</source>
        <translation>保存会话…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Recent Sessions</source>
        <translation>最近的会话</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Export View as &amp;PNG…</source>
        <translation>将视图导出为 PNG(&amp;P)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export View as S&amp;VG…</source>
        <translation>将视图导出为 SVG(&amp;V)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Next Page</source>
        <translation>下一页(&amp;N)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ctrl+PgDown</source>
        <translation>Ctrl+PgDown</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Ctrl+Tab</source>
        <translation>Ctrl+Tab</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Presentation Mode</source>
        <translation>演示模式(&amp;P)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Full screen, settings hidden, large type: for teaching</source>
        <translation>全屏、隐藏设置、大字号：用于授课</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next Lesson Step</source>
        <translation>课程下一步</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Previous Lesson Step</source>
        <translation>课程上一步</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Add View to Lesson…</source>
        <translation>将当前视图加入课程…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The page as it is now, with the session&apos;s input and variants, becomes the next step of your own lesson (Lessons page)</source>
        <translation>当前页面连同会话的输入和变体，成为自己课程的下一步（见“课程”页）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Light Theme</source>
        <translation>浅色主题(&amp;L)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Dark Theme</source>
        <translation>深色主题(&amp;D)</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window_language.cpp" line="+23"/>
        <source>The interface stays in %1</source>
        <translation>界面语言保持为：%1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The interface will be in %1 from the next start</source>
        <translation>下次启动时界面语言将切换为：%1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Restart in %1 now? The session reopens as it is; its results are computed again.</source>
        <translation>现在重新启动，并将界面语言切换为：%1？会话将按原样重新打开，结果会重新计算。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Restart Now</source>
        <translation>立即重启</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Later</source>
        <translation>稍后</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Could not restart %1: the interface will be in %2 from the next start</source>
        <translation>无法重新启动 %1；下次启动时界面语言将切换为：%2</translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.cpp" line="+10"/>
        <location line="+1"/>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ctrl+R</source>
        <translation>Ctrl+R</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Cancel</source>
        <translation>取消(&amp;C)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Run on &amp;Every Change</source>
        <translation>每次更改时运行(&amp;E)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Rerun the compare batch whenever a setting changes (a running batch is always restarted)</source>
        <translation>任何设置更改后重新运行对比批次（正在运行的批次总会重新开始）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Cancelled; finished results stay</source>
        <translation>已取消；已完成的结果保留</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Could not open %1: %2</source>
        <translation>无法打开 %1：%2</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>Could not start the lesson: %1</source>
        <translation>无法开始课程：%1</translation>
    </message>
    <message>
        <location line="+77"/>
        <source>Open a sequence or Q/K/V</source>
        <translation>打开序列或 Q/K/V</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sequences and tensors (*.txt *.md *.fa *.fasta *.fna *.csv *.tsv *.npy *.safetensors);;All files (*)</source>
        <translation>序列与张量 (*.txt *.md *.fa *.fasta *.fna *.csv *.tsv *.npy *.safetensors);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window_files.cpp" line="+21"/>
        <source>SVG images (*.svg)</source>
        <translation>SVG 图像 (*.svg)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>PNG images (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export the view</source>
        <translation>导出视图</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>cannot write &apos;%1&apos;</source>
        <translation>无法写入“%1”</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Exported %1</source>
        <translation>已导出 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export failed: %1</source>
        <translation>导出失败：%1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Open a session</source>
        <translation>打开会话</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>AttnScope sessions (*.attnscope);;All files (*)</source>
        <translation>AttnScope 会话 (*.attnscope);;所有文件 (*)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Save the session</source>
        <translation>保存会话</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>session.attnscope</source>
        <translation>session.attnscope</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>AttnScope sessions (*.attnscope)</source>
        <translation>AttnScope 会话 (*.attnscope)</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Opened %1 with changes: %2</source>
        <translation>已打开 %1，但有改动：%2</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window_record.cpp" line="+26"/>
        <source>Step %1 of your lesson: %2 (Lessons page: play or save it)</source>
        <translation>你的课程第 %1 步：%2（在“课程”页播放或保存）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Add View to Lesson</source>
        <translation>将当前视图加入课程</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The %1 page as it is now, with the session&apos;s input and variants, becomes the next step.</source>
        <translation>“%1”页面的当前状态，连同会话的输入和变体，将成为下一步。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add Step</source>
        <translation>添加步骤</translation>
    </message>
</context>
<context>
    <name>attnscope::MapToHeatmap</name>
    <message>
        <location filename="../../views/map_to_heatmap.cpp" line="+23"/>
        <source>weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <location line="+4"/>
        <source> (|A|: A has negative entries)</source>
        <translation>（|A|：A 含负值）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>computed</source>
        <translation>已计算</translation>
    </message>
</context>
<context>
    <name>attnscope::MemorySlotView</name>
    <message>
        <location filename="../../views/memory_slot_view.cpp" line="+139"/>
        <source>Play</source>
        <translation>播放</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Replay the writes segment by segment</source>
        <translation>逐段重放写入过程</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Segment whose slot contents are shown</source>
        <translation>显示其记忆槽内容的段</translation>
    </message>
    <message>
        <location line="+30"/>
        <location line="+39"/>
        <source>No memory: this variant keeps none</source>
        <translation>没有记忆：该变体不保留记忆</translation>
    </message>
    <message>
        <location line="-32"/>
        <location line="+17"/>
        <source>Memory</source>
        <translation>记忆</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>No slots: the cached segment&apos;s share of each segment&apos;s attention is shown.</source>
        <translation>没有记忆槽：此处显示每段注意力落在缓存段上的比例。</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>slot contents after segment %1</source>
        <translation>第 %1 段之后的记忆槽内容</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>|slot value|</source>
        <translation>|槽值|</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>slot</source>
        <translation>槽</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>dim</source>
        <translation>维度</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>segment %1 (%2 of %3), tokens 0..%4 read</source>
        <translation>第 %1 段（共 %3 段中的第 %2 段），已读取 token 0..%4</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>segment</source>
        <translation>段</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>slot norm</source>
        <translation>槽范数</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>slot %1</source>
        <translation>槽 %1</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>min over slots</source>
        <translation>各槽最小值</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>mean</source>
        <translation>平均</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>max</source>
        <translation>最大</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>memory mass</source>
        <translation>记忆权重占比</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>attention mass on memory</source>
        <translation>落在记忆上的注意力权重</translation>
    </message>
</context>
<context>
    <name>attnscope::MetricsCard</name>
    <message>
        <location filename="../../views/metrics_card.cpp" line="+50"/>
        <source>No run yet</source>
        <translation>尚未运行</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>This variant did not run:
%1</source>
        <translation>该变体未能运行：
%1</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>median time</source>
        <translation>中位时间</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Median wall time of one run over %1 repeats, after warm-up</source>
        <translation>预热之后，%1 次重复中单次运行的墙钟时间中位数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>spread</source>
        <translation>波动范围</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1 – %2</source>
        <translation>%1 – %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Fastest and slowest repeat: a wide spread means a noisy measurement</source>
        <translation>最快与最慢的一次重复：范围越宽，测量噪声越大</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>peak workspace</source>
        <translation>工作区峰值</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Largest scratch memory the kernels held at once, beyond Q, K, V and the output (predicted %1)</source>
        <translation>除 Q、K、V 和输出之外，内核同时占用的最大临时内存（预测值 %1）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>peak total</source>
        <translation>总内存峰值</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Q, K, V and the output (%1) plus the peak workspace: what the run needs</source>
        <translation>Q、K、V 与输出（%1）加上工作区峰值：本次运行所需的内存</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>throughput</source>
        <translation>吞吐量</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Useful floating-point work (%1 GFLOP by the cost model) divided by the median time</source>
        <translation>有效浮点运算量（按代价模型为 %1 GFLOP）除以中位时间</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>pairs computed</source>
        <translation>计算的配对</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Share of the n² query-key scores this variant evaluates (%1 of %2, from the %3)</source>
        <translation>该变体实际计算的查询–键得分占全部 n² 个的比例（%2 个中的 %1 个，来源：%3）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>layout</source>
        <translation>块布局</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>cost_model</source>
        <translation>代价模型</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Notes</source>
        <translation>说明</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>map and spectrum on</source>
        <translation>注意力图与谱计算于</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Where A, its map and its spectrum were computed</source>
        <translation>A 及其注意力图和谱在何处计算</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Against causal dense</source>
        <translation>与因果稠密注意力对比</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Against dense</source>
        <translation>与稠密注意力对比</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>output error</source>
        <translation>输出误差</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>||O − O_dense||_F / ||O_dense||_F: how far this variant&apos;s output is from exact attention</source>
        <translation>||O − O_dense||_F / ||O_dense||_F：该变体的输出与精确注意力相差多远</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 nats</source>
        <translation>%1 nat</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> (∞ in 1 row)</source>
        <translation>（1 行为 ∞）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> (∞ in %1 rows)</source>
        <translation>（%1 行为 ∞）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>KL(dense ‖ variant)</source>
        <translation>KL(dense ‖ variant)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mean over queries of the KL divergence from dense attention to this variant&apos;s; infinite where the variant gives a key no weight that dense attends to</source>
        <translation>各查询上从稠密注意力到该变体注意力的 KL 散度均值；若稠密注意力关注的某个键在该变体中权重为零，则为无穷大</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>entropy</source>
        <translation>熵</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1 nats (dense %2)</source>
        <translation>%1 nat（稠密 %2）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mean entropy of a query&apos;s attention; a uniform row has log n = %1 nats</source>
        <translation>单个查询的注意力分布的平均熵；均匀分布的一行为 log n = %1 nat</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>mean attention distance</source>
        <translation>平均注意力距离</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1 tokens (dense %2)</source>
        <translation>%1 个 token（稠密 %2）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mean over queries of sum_j a_ij |i − j|: how far attention reaches</source>
        <translation>各查询上 sum_j a_ij |i − j| 的均值：注意力能延伸多远</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>mass on global tokens</source>
        <translation>全局 token 上的权重</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1 (dense %2)</source>
        <translation>%1（稠密 %2）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mean weight a query puts on the global tokens (%1 keys, %2)</source>
        <translation>每个查询放在全局 token 上的平均权重（%1 个键，%2）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>mass on memory</source>
        <translation>记忆上的权重</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mean over segments of the attention weight on memory (slots or the cached segment)</source>
        <translation>各段注意力权重落在记忆（记忆槽或缓存段）上的平均值</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>attention recall</source>
        <translation>注意力召回率</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>mean %1, worst query %2</source>
        <translation>平均 %1，最差查询 %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Share of dense attention mass that falls on the pairs this variant computes: near 100% means the pattern covers what matters</source>
        <translation>稠密注意力权重中落在该变体所计算配对上的比例：接近 100% 说明该模式覆盖了重要的部分</translation>
    </message>
</context>
<context>
    <name>attnscope::ParamForm</name>
    <message>
        <location filename="../../app/gui/param_form.cpp" line="+67"/>
        <source>e.g. 0,17,512</source>
        <translation>例如 0,17,512</translation>
    </message>
</context>
<context>
    <name>attnscope::ProfilePage</name>
    <message>
        <location filename="../../app/gui/pages/profile_page.cpp" line="+24"/>
        <source>Run of</source>
        <translation>运行对象</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Export trace…</source>
        <translation>导出追踪…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Chrome trace JSON: open it in Perfetto (ui.perfetto.dev) or chrome://tracing</source>
        <translation>Chrome 追踪 JSON：可在 Perfetto（ui.perfetto.dev）或 chrome://tracing 中打开</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Run a comparison: each variant&apos;s spans (load, featurize, warm-up, repeats, kernel phases) appear here.</source>
        <translation>运行一次对比：每个变体的跨度（加载、特征化、预热、重复、内核阶段）会显示在这里。</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>%1 (failed)</source>
        <translation>%1（失败）</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>%1 failed: %2</source>
        <translation>%1 失败：%2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 at n = %2 on %3</source>
        <translation>%1，n = %2，运行于 %3</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Median %1 ms over %2 repeat(s); the share of a span is its duration over the whole run (nested spans overlap).</source>
        <translation>%2 次重复的中位时间为 %1 ms；跨度的占比是其时长除以整次运行的时长（嵌套的跨度会重叠）。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>no trace to export: run a comparison first</source>
        <translation>没有可导出的追踪：请先运行一次对比</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Export trace</source>
        <translation>导出追踪</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Chrome trace (*.json)</source>
        <translation>Chrome 追踪 (*.json)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Trace written to %1</source>
        <translation>追踪已写入 %1</translation>
    </message>
    <message>
        <location filename="../../app/gui/pages/profile_page.hpp" line="+30"/>
        <source>Profile</source>
        <translation>性能剖析</translation>
    </message>
</context>
<context>
    <name>attnscope::ProvenanceStrip</name>
    <message>
        <location filename="../../views/memory_slot_view.cpp" line="-290"/>
        <source>token 0</source>
        <translation>token 0</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Hover a slot to see the tokens it holds</source>
        <translation>悬停在某个槽上，查看它保存了哪些 token</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>slot %1: mean position %2, weight %3</source>
        <translation>槽 %1：平均位置 %2，权重 %3</translation>
    </message>
</context>
<context>
    <name>attnscope::RunHistory</name>
    <message>
        <location filename="../../app/gui/run_history.cpp" line="+19"/>
        <source>Run %1 · sweep · %2</source>
        <translation>运行 %1 · 扫描 · %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> · n = %1…%2</source>
        <translation> · n = %1…%2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> · %1 swept</source>
        <translation> · 扫描 %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Run %1 · compare · %2</source>
        <translation>运行 %1 · 对比 · %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> · n = %1</source>
        <translation> · n = %1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>done (results released)</source>
        <translation>完成（结果已释放）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>from the session file (specs only: run again for results)</source>
        <translation>来自会话文件（仅有配置：需重新运行以得到结果）</translation>
    </message>
</context>
<context>
    <name>attnscope::RunsPage</name>
    <message>
        <location filename="../../app/gui/pages/runs_page.cpp" line="+29"/>
        <source>run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>state</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>points</source>
        <translation>点数</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1: time exponent</source>
        <translation>%1：时间指数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: memory exponent</source>
        <translation>%1：内存指数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: error vs dense (n = %2)</source>
        <translation>%1：与稠密注意力的误差（n = %2）</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+4"/>
        <source>variant</source>
        <translation>变体</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>results</source>
        <translation>结果</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>none (not run, released, or from a session file)</source>
        <translation>无（未运行、已释放或来自会话文件）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>error</source>
        <translation>误差</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>n</source>
        <translation>n</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>heads</source>
        <translation>头数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>time, median (ms)</source>
        <translation>时间，中位数（ms）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>time, spread (ms)</source>
        <translation>时间，波动范围（ms）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>workspace peak (MB)</source>
        <translation>工作区峰值（MB）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>run memory (MB)</source>
        <translation>运行内存（MB）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GFLOP/s</source>
        <translation>GFLOP/s</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>pairs computed (fraction)</source>
        <translation>计算的配对（比例）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>output error vs dense</source>
        <translation>与稠密注意力相比的输出误差</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>KL(dense || variant), mean</source>
        <translation>KL(dense || variant)，平均</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>entropy, mean (nats)</source>
        <translation>熵，平均（nat）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>attention distance, mean (tokens)</source>
        <translation>注意力距离，平均（token）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>attention recall, mean</source>
        <translation>注意力召回率，平均</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>attention recall, worst query</source>
        <translation>注意力召回率，最差查询</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>the maps cover different grids (%1×%2 cells over [%3, %4)×[%5, %6) against %7×%8 over [%9, %10)×[%11, %12)): no difference map</source>
        <translation>两张图覆盖的网格不同（%1×%2 个单元覆盖 [%3, %4)×[%5, %6)，而另一张为 %7×%8 个单元覆盖 [%9, %10)×[%11, %12)）：无法生成差异图</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>A1 - A2 (shade: |difference|; largest %1)</source>
        <translation>A1 - A2（深浅：|差值|；最大 %1）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Run A</source>
        <translation>运行 A</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Run B</source>
        <translation>运行 B</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Metric</source>
        <translation>指标</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>A</source>
        <translation>A</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>B</source>
        <translation>B</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>B - A</source>
        <translation>B - A</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Pick two runs of the history to compare them.</source>
        <translation>从历史中选择两次运行进行比较。</translation>
    </message>
    <message>
        <location line="+102"/>
        <source>A: %1</source>
        <translation>A：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>B: %1</source>
        <translation>B：%1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Right: A1 - A2 on the shared grid; hover a cell for the signed difference.</source>
        <translation>右侧：共享网格上的 A1 - A2；悬停在单元格上可查看带符号的差值。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The map difference needs a map on both sides (a sweep keeps no maps; a running batch may not have them yet).</source>
        <translation>差异图需要两边都有注意力图（扫描不保留注意力图；正在运行的批次可能还没有）。</translation>
    </message>
    <message>
        <location filename="../../app/gui/pages/runs_page.hpp" line="+43"/>
        <source>Runs</source>
        <translation>运行记录</translation>
    </message>
</context>
<context>
    <name>attnscope::ScalingChart</name>
    <message>
        <location filename="../../views/scaling_chart.cpp" line="+48"/>
        <source>no fit</source>
        <translation>无拟合</translation>
    </message>
    <message>
        <location line="+121"/>
        <source>Time (median of repeats)</source>
        <translation>时间（各次重复的中位数）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Memory (Q, K, V, O + workspace peak)</source>
        <translation>内存（Q、K、V、O + 工作区峰值）</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>sequence length n</source>
        <translation>序列长度 n</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>MB</source>
        <translation>MB</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>no finished points yet</source>
        <translation>尚无已完成的点</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>O(n) guide</source>
        <translation>O(n) 参考线</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>O(n²) guide</source>
        <translation>O(n²) 参考线</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>skipped (hover for why)</source>
        <translation>已跳过（悬停查看原因）</translation>
    </message>
    <message>
        <location line="+30"/>
        <location line="+35"/>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <location line="-35"/>
        <location line="+35"/>
        <source>%1 MB</source>
        <translation>%1 MB</translation>
    </message>
    <message>
        <location line="-34"/>
        <location line="+8"/>
        <location line="+27"/>
        <source>%1: n = %2, %3</source>
        <translation>%1：n = %2，%3</translation>
    </message>
</context>
<context>
    <name>attnscope::ScalingPage</name>
    <message>
        <location filename="../../app/gui/pages/scaling_page.cpp" line="+42"/>
        <source>exact</source>
        <translation>精确</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sparse</source>
        <translation>稀疏</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>low-rank</source>
        <translation>低秩</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>recurrent / memory</source>
        <translation>循环 / 记忆</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>hierarchical</source>
        <translation>层次</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>dynamic sparse</source>
        <translation>动态稀疏</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Lengths</source>
        <translation>长度</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>FROM:TO (doubling), FROM:TO:xF, FROM:TO:+S or N1,N2,...</source>
        <translation>FROM:TO（逐次翻倍）、FROM:TO:xF、FROM:TO:+S 或 N1,N2,...</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Repeats</source>
        <translation>重复次数</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Error against dense</source>
        <translation>与稠密注意力的误差</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Runs dense at each length as the reference (up to n = 16384)</source>
        <translation>在每个长度上运行稠密注意力作为参考（最大到 n = 16384）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Run sweep</source>
        <translation>运行扫描</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The sweep&apos;s points, fits and spec as CSV or JSON (the same files as attnscope-cli sweep)</source>
        <translation>扫描的数据点、拟合结果和配置，导出为 CSV 或 JSON（与 attnscope-cli sweep 生成的文件相同）</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Time and memory against n for the checked variants: press Run sweep.</source>
        <translation>已勾选变体的时间和内存随 n 的变化：请点击“运行扫描”。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Family</source>
        <translation>类别</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Variant</source>
        <translation>变体</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Measured time</source>
        <translation>实测时间</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Measured memory</source>
        <translation>实测内存</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Error vs dense</source>
        <translation>与稠密注意力的误差</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Suits</source>
        <translation>适用于</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Loses</source>
        <translation>代价</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>Cannot start the sweep: %1</source>
        <translation>无法开始扫描：%1</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Sweeping %1 variant(s) over %2 length(s)…</source>
        <translation>正在扫描 %1 个变体、%2 个长度…</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>%1 of %2 points</source>
        <translation>%2 个点中的 %1 个</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> · now %1</source>
        <translation> · 当前 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> · about %1 s left</source>
        <translation> · 约剩 %1 秒</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Cancelled: %1 of %2 points kept</source>
        <translation>已取消：保留了 %2 个点中的 %1 个</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Done: %1 points in %2 s</source>
        <translation>完成：%1 个点，用时 %2 秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> · %1 skipped (hover the squares for why)</source>
        <translation> · 跳过 %1 个（悬停在方块上查看原因）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> · %1 failed</source>
        <translation> · 失败 %1 个</translation>
    </message>
    <message>
        <location line="+3"/>
        <source> (first: %1 at n = %2: %3)</source>
        <translation>（第一个：%1，n = %2：%3）</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>The sweep failed: %1</source>
        <translation>扫描失败：%1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Stopped: %1 points kept</source>
        <translation>已停止：保留了 %1 个点</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>%1 (n = %2)</source>
        <translation>%1（n = %2）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>no sweep to export: run one first</source>
        <translation>没有可导出的扫描：请先运行一次</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Export sweep</source>
        <translation>导出扫描</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>JSON (*.json);;CSV (*.csv)</source>
        <translation>JSON (*.json);;CSV (*.csv)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Sweep written to %1</source>
        <translation>扫描已写入 %1</translation>
    </message>
    <message>
        <location filename="../../app/gui/pages/scaling_page.hpp" line="+33"/>
        <source>Scaling</source>
        <translation>规模扩展</translation>
    </message>
</context>
<context>
    <name>attnscope::SequencePanel</name>
    <message>
        <location filename="../../app/gui/sequence_panel.cpp" line="+34"/>
        <source>text</source>
        <translation>文本</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>DNA</source>
        <translation>DNA</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>time series</source>
        <translation>时间序列</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>tensor</source>
        <translation>张量</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Open file…</source>
        <translation>打开文件…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Text, FASTA, CSV/TSV, .npy or .safetensors (embeddings or Q/K/V); you can also drop a file on the window</source>
        <translation>文本、FASTA、CSV/TSV、.npy 或 .safetensors（嵌入或 Q/K/V）；也可以把文件拖放到窗口上</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>whole input</source>
        <translation>完整输入</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> tokens</source>
        <translation> 个 token</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Keep the first n positions (whole input: the file&apos;s own length, or the sample&apos;s default)</source>
        <translation>只保留前 n 个位置（完整输入：文件本身的长度，或样例的默认长度）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sinusoidal</source>
        <translation>正弦</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>RoPE</source>
        <translation>RoPE</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The head whose map, spectrum and metrics every column shows</source>
        <translation>每一列的注意力图、谱和指标所显示的头</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Input</source>
        <translation>输入</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Length n</source>
        <translation>长度 n</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Heads</source>
        <translation>头数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Head width d</source>
        <translation>头维度 d</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Positions</source>
        <translation>位置编码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show head</source>
        <translation>显示的头</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>file: %1</source>
        <translation>文件：%1</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Set by the loaded Q/K/V</source>
        <translation>由已加载的 Q/K/V 决定</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 (%2): n = %3, %4 heads of d = %5%6</source>
        <translation>%1（%2）：n = %3，%4 个头，d = %5%6</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>, Q/K/V from the file</source>
        <translation>，Q/K/V 来自文件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>cropped from %1 positions</source>
        <translation>截取自 %1 个位置</translation>
    </message>
</context>
<context>
    <name>attnscope::SessionFile</name>
    <message>
        <location filename="../../app/gui/session_file.cpp" line="+37"/>
        <source>session field &quot;%1&quot; has the wrong type; using the default</source>
        <translation>会话字段“%1”的类型错误；使用默认值</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>session field &quot;%1&quot;: %2</source>
        <translation>会话字段“%1”：%2</translation>
    </message>
    <message>
        <location line="+65"/>
        <source>unknown variant &quot;%1&quot; left out</source>
        <translation>未知变体“%1”，已略去</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>%1: %2; using its default</source>
        <translation>%1：%2；使用其默认值</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>a run spec is not an object; using the defaults</source>
        <translation>某个运行配置不是对象；使用默认值</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>the input file %1 was not found; the built-in sample &quot;%2&quot; is used instead</source>
        <translation>未找到输入文件 %1；改用内置样例“%2”</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>unknown input kind &quot;%1&quot;; using the built-in sample</source>
        <translation>未知的输入类型“%1”；使用内置样例</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>unknown variant &quot;%1&quot; left out of a sweep</source>
        <translation>未知变体“%1”，已从扫描中略去</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>this is not an AttnScope session (no &quot;format&quot;: &quot;%1&quot;)</source>
        <translation>这不是 AttnScope 会话（缺少 &quot;format&quot;: &quot;%1&quot;）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>this session was written by a newer AttnScope (version %1; this one reads up to %2)</source>
        <translation>此会话由更新版本的 AttnScope 写入（版本 %1；本程序最多支持到 %2）</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>cannot open %1: %2</source>
        <translation>无法打开 %1：%2</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 is too large to be a session file</source>
        <translation>%1 太大，不可能是会话文件</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 is not valid JSON (at byte %2): %3</source>
        <translation>%1 不是有效的 JSON（位于第 %2 字节）：%3</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
</context>
<context>
    <name>attnscope::SpanTable</name>
    <message>
        <location filename="../../views/span_table.cpp" line="+27"/>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 µs</source>
        <translation>%1 µs</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 GB</source>
        <translation>%1 GB</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 MB</source>
        <translation>%1 MB</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 kB</source>
        <translation>%1 kB</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 B</source>
        <translation>%1 B</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 GFLOP/s</source>
        <translation>%1 GFLOP/s</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>thread %1</source>
        <translation>线程 %1</translation>
    </message>
    <message>
        <location line="+59"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+63"/>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <location line="-62"/>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Thread</source>
        <translation>线程</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+61"/>
        <source>Share of run</source>
        <translation>占运行比例</translation>
    </message>
    <message>
        <location line="-60"/>
        <location line="+60"/>
        <source>Bytes</source>
        <translation>字节数</translation>
    </message>
    <message>
        <location line="-59"/>
        <location line="+60"/>
        <source>FLOP/s</source>
        <translation>FLOP/s</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>Phase</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+62"/>
        <source>Spans</source>
        <translation>跨度数</translation>
    </message>
    <message>
        <location line="-62"/>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <location line="+49"/>
        <location line="+67"/>
        <source>No trace yet: run a comparison.</source>
        <translation>暂无追踪：请运行一次对比。</translation>
    </message>
    <message>
        <location line="-48"/>
        <source>Totals per phase</source>
        <translation>各阶段合计</translation>
    </message>
    <message numerus="yes">
        <location line="+38"/>
        <source>%n span(s) covering %1, peak tracked memory %2</source>
        <translation>
            <numerusform>%n 个跨度，覆盖 %1，跟踪到的内存峰值 %2</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>attnscope::SpectrumView</name>
    <message>
        <location filename="../../views/spectrum_view.cpp" line="+140"/>
        <source>Rank spectrum</source>
        <translation>秩谱</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The spectrum has no positive singular values.</source>
        <translation>该谱没有正的奇异值。</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>No spectrum yet</source>
        <translation>暂无谱</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>index r</source>
        <translation>下标 r</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>singular value</source>
        <translation>奇异值</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>fraction of ||A||_F</source>
        <translation>占 ||A||_F 的比例</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>singular values (log)</source>
        <translation>奇异值（对数）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>cumulative energy</source>
        <translation>累积能量</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>%1 = %2</source>
        <translation>%1 = %2</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>σ_%1+1 / σ_1 = %2</source>
        <translation>σ_%1+1 / σ_1 = %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>effective rank: entropy %1</source>
        <translation>有效秩：熵 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>, 90% energy at r = %1</source>
        <translation>，r = %1 时达到 90% 能量</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>, 90% energy beyond r = %1</source>
        <translation>，r = %1 之后才达到 90% 能量</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>, 99% at r = %1</source>
        <translation>，r = %1 时达到 99%</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>, 99% beyond r = %1</source>
        <translation>，r = %1 之后才达到 99%</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>exact</source>
        <translation>精确</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>randomized</source>
        <translation>随机化</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> (%1 values, %2)</source>
        <translation>（%1 个值，%2）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>best rank-r error of dense (Eckart–Young)</source>
        <translation>稠密注意力的最佳秩 r 误差（Eckart–Young）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>this variant&apos;s error %1</source>
        <translation>该变体的误差 %1</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>at %1 = %2 the best possible error is %3; this variant&apos;s is %4 (%5× the bound)</source>
        <translation>在 %1 = %2 处，最佳可能误差为 %3；该变体为 %4（下界的 %5×）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>the zero map is as close to dense as this variant (error ≥ 1)</source>
        <translation>零矩阵与稠密注意力的距离不比该变体远（误差 ≥ 1）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a rank-%1 map of dense reaches this variant&apos;s error</source>
        <translation>稠密注意力的秩 %1 近似即可达到该变体的误差</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no rank up to %1 of dense reaches this variant&apos;s error</source>
        <translation>稠密注意力在秩 %1 以内的近似都达不到该变体的误差</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>r = %1
σ = %2</source>
        <translation>r = %1
σ = %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>cumulative energy %1</source>
        <translation>累积能量 %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>best rank-%1 error of dense %2</source>
        <translation>稠密注意力的最佳秩 %1 误差 %2</translation>
    </message>
</context>
<context>
    <name>attnscope::TimelineView</name>
    <message>
        <location filename="../../views/timeline_view.cpp" line="+97"/>
        <source>No trace yet: run a comparison and pick a variant above.</source>
        <translation>暂无追踪：请运行一次对比，并在上方选择一个变体。</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>(phase totals)</source>
        <translation>（阶段合计）</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>%1 spans in %2
zoom in to tell them apart</source>
        <translation>%2 内有 %1 个跨度
放大以区分它们</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1
%2 on %3, track %4
start %5, duration %6</source>
        <translation>%1
%2，运行于 %3，轨道 %4
开始 %5，时长 %6</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>
%1 moved</source>
        <translation>
搬运 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>
%1 GFLOP/s</source>
        <translation>
%1 GFLOP/s</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>peak %1</source>
        <translation>峰值 %1</translation>
    </message>
</context>
<context>
    <name>attnscope::TradeoffChart</name>
    <message>
        <location filename="../../views/tradeoff_chart.cpp" line="+137"/>
        <source>Recall against time, %1 swept</source>
        <translation>召回率与时间，扫描 %1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Recall against memory, %1 swept</source>
        <translation>召回率与内存，扫描 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Error against time, %1 swept</source>
        <translation>误差与时间，扫描 %1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Error against memory, %1 swept</source>
        <translation>误差与内存，扫描 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> (n = %1)</source>
        <translation>（n = %1）</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>no points with a recall yet</source>
        <translation>尚无带召回率的点</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no points with an error yet</source>
        <translation>尚无带误差的点</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>time (ms, median)</source>
        <translation>时间（ms，中位数）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>run memory (MB)</source>
        <translation>运行内存（MB）</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>attention recall, mean over queries</source>
        <translation>注意力召回率，各查询平均</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>relative error of O against dense</source>
        <translation>O 相对稠密注意力的相对误差</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>%1, %2 = %3: %4 ms, %5 MB</source>
        <translation>%1，%2 = %3：%4 ms，%5 MB</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>, error %1</source>
        <translation>，误差 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>, recall %1</source>
        <translation>，召回率 %1</translation>
    </message>
</context>
<context>
    <name>attnscope::TradeoffPage</name>
    <message>
        <location filename="../../app/gui/pages/tradeoff_page.cpp" line="+69"/>
        <source>Parameter</source>
        <translation>参数</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Values</source>
        <translation>取值</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>FROM:TO (doubling), FROM:TO:xF, FROM:TO:+S or V1,V2,...</source>
        <translation>FROM:TO（逐次翻倍）、FROM:TO:xF、FROM:TO:+S 或 V1,V2,...</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>n</source>
        <translation>n</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>error against dense</source>
        <translation>与稠密注意力的误差</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>attention recall</source>
        <translation>注意力召回率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recall: the share of dense attention mass on the pairs the variant weighs (head 0, mean over queries)</source>
        <translation>召回率：稠密注意力权重落在该变体所计算配对上的比例（头 0，各查询平均）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Run sweep</source>
        <translation>运行扫描</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Each point is one value of the parameter: further left is faster (or smaller); a lower error or a higher recall is closer to dense. Error is of the output O over all heads; recall is of head 0.</source>
        <translation>每个点对应参数的一个取值：越靠左越快（或越省内存）；误差越低或召回率越高，越接近稠密注意力。误差针对所有头上的输出 O；召回率针对头 0。</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>%1 of %2 points</source>
        <translation>%2 个点中的 %1 个</translation>
    </message>
    <message>
        <location line="+0"/>
        <source> · now %1</source>
        <translation> · 当前 %1</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Cancelled: %1 of %2 points kept</source>
        <translation>已取消：保留了 %2 个点中的 %1 个</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Done: %1 points in %2 s</source>
        <translation>完成：%1 个点，用时 %2 秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> · %1 not run (first: %2)</source>
        <translation> · %1 个未运行（第一个：%2）</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Check a variant with an integer parameter (window, globals, k, features, ...) to sweep it.</source>
        <translation>请勾选一个带整数参数（window、globals、k、features 等）的变体来扫描它。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pick a parameter and its values, then Run sweep.</source>
        <translation>选择一个参数及其取值，然后点击“运行扫描”。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>no checked variant has an integer parameter to sweep</source>
        <translation>已勾选的变体都没有可扫描的整数参数</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Cannot start the sweep: %1</source>
        <translation>无法开始扫描：%1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Sweeping %1 over %2 value(s) for %3 variant(s) at n = %4…</source>
        <translation>正在扫描 %1：%2 个取值，%3 个变体，n = %4…</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>The sweep failed: %1</source>
        <translation>扫描失败：%1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Stopped: %1 points kept</source>
        <translation>已停止：保留了 %1 个点</translation>
    </message>
    <message>
        <location filename="../../app/gui/pages/tradeoff_page.hpp" line="+46"/>
        <source>Trade-off</source>
        <translation>权衡</translation>
    </message>
</context>
<context>
    <name>attnscope::VariantPanel</name>
    <message>
        <location filename="../../app/gui/variant_panel.cpp" line="+23"/>
        <source>Causal</source>
        <translation>因果</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Each query sees only earlier keys; a variant without a causal form says so in its column</source>
        <translation>每个查询只看到之前的键；没有因果形式的变体会在其列中说明</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Precision</source>
        <translation>精度</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>fp32</source>
        <translation>fp32</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>bf16</source>
        <translation>bf16</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>bf16: Q, K, V and the probabilities rounded to bfloat16, products summed in fp32 (on the CPU: mask-based variants, on AMX or AVX512-BF16 where the processor has them)</source>
        <translation>bf16：Q、K、V 和概率舍入为 bfloat16，乘积在 fp32 中累加（CPU 上：基于掩码的变体，在处理器支持 AMX 或 AVX512-BF16 时）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Variants to compare (select one to edit its parameters)</source>
        <translation>要对比的变体（选中一个以编辑其参数）</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 (%2): %3. Loses: %4</source>
        <translation>%1（%2）：%3。代价：%4</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>%1 has no parameters.</source>
        <translation>%1 没有参数。</translation>
    </message>
</context>
<context>
    <name>attnscope::ViewExport</name>
    <message>
        <location filename="../../views/view_export.cpp" line="+75"/>
        <location line="+17"/>
        <source>nothing to export</source>
        <translation>没有可导出的内容</translation>
    </message>
    <message>
        <location line="-12"/>
        <source>the view has nothing to draw</source>
        <translation>该视图没有可绘制的内容</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+20"/>
        <location line="+6"/>
        <source>cannot write %1</source>
        <translation>无法写入 %1</translation>
    </message>
    <message>
        <location line="-9"/>
        <source>Exported from AttnScope</source>
        <translation>由 AttnScope 导出</translation>
    </message>
</context>
<context>
    <name>engine</name>
    <message>
        <location filename="engine_strings.cpp" line="+9"/>
        <source>Dense (exact softmax attention)</source>
        <extracomment>dense: the variant&apos;s title</extracomment>
        <translation>稠密（精确 softmax 注意力）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>exact</source>
        <extracomment>dense: its family of methods</extracomment>
        <translation>精确</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the reference: exact, and affordable up to a few thousand tokens</source>
        <extracomment>dense: when to use it</extracomment>
        <translation>基准参照：结果精确，几千个 token 以内代价可以承受</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>nothing; its time grows with n^2</source>
        <extracomment>dense: what it gives up</extracomment>
        <translation>不损失任何东西；但时间随 n^2 增长</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Local blocks</source>
        <extracomment>local_block: the variant&apos;s title</extracomment>
        <translation>局部块</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>sparse</source>
        <extracomment>local_block: its family of methods</extracomment>
        <translation>稀疏</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the cheapest sparse baseline: chunks that are independent (documents, frames, reads)</source>
        <extracomment>local_block: when to use it</extracomment>
        <translation>最便宜的稀疏基线：适合彼此独立的分块（文档、帧、测序读段）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>everything across a block boundary, even between neighbours</source>
        <extracomment>local_block: what it gives up</extracomment>
        <translation>跨越块边界的一切联系，哪怕是相邻 token 之间</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>tokens per block; a token attends only inside its own block</source>
        <extracomment>local_block: help of the parameter block</extracomment>
        <translation>每块的 token 数；token 只关注自身所在块内的 token</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>tokens</source>
        <extracomment>local_block: unit of the parameter block (a plural noun)</extracomment>
        <translation>token</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sliding window</source>
        <extracomment>sliding_window: the variant&apos;s title</extracomment>
        <translation>滑动窗口</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>local structure dominates (audio, DNA, text within a paragraph) and n is long</source>
        <extracomment>sliding_window: when to use it</extracomment>
        <translation>局部结构占主导（音频、DNA、段落内的文本）且 n 很长</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>every dependency farther than w (or w times the depth of a stack)</source>
        <extracomment>sliding_window: what it gives up</extracomment>
        <translation>所有距离超过 w（或 w 乘以堆叠层数）的依赖</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>each token attends tokens at most this far away (w &gt;= n is dense)</source>
        <extracomment>sliding_window: help of the parameter window</extracomment>
        <translation>每个 token 只关注距离不超过此值的 token（w &gt;= n 即为稠密）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>attend only every δ-th offset inside the window (1: every offset)</source>
        <extracomment>sliding_window: help of the parameter dilation</extracomment>
        <translation>在窗口内只关注每第 δ 个偏移（1：每个偏移）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Longformer (window + global tokens)</source>
        <extracomment>longformer: the variant&apos;s title</extracomment>
        <translation>Longformer（窗口 + 全局 token）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>long documents where a few known tokens ([CLS], questions, headings) must see and be seen by all</source>
        <extracomment>longformer: when to use it</extracomment>
        <translation>长文档，其中少数已知 token（[CLS]、问题、标题）必须能看到所有 token 并被所有 token 看到</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>direct long-range links between ordinary tokens; they pass only through the global ones</source>
        <extracomment>longformer: what it gives up</extracomment>
        <translation>普通 token 之间的直接长程联系；它们只能经由全局 token 传递</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>each token attends tokens at most this far away</source>
        <extracomment>longformer: help of the parameter window</extracomment>
        <translation>每个 token 只关注距离不超过此值的 token</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the first g tokens are global (g &gt;= n: every token)</source>
        <extracomment>longformer: help of the parameter globals</extracomment>
        <translation>前 g 个 token 为全局 token（g &gt;= n：所有 token）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>further global positions, e.g. 0,17,256 (each must be &lt; n)</source>
        <extracomment>longformer: help of the parameter global_indices</extracomment>
        <translation>额外的全局位置，例如 0,17,256（每个都必须 &lt; n）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>tokens whose whole label matches this regex are global, e.g. \[CLS\] or [.!?]</source>
        <extracomment>longformer: help of the parameter global_pattern</extracomment>
        <translation>完整标签匹配此正则表达式的 token 为全局 token，例如 \[CLS\] 或 [.!?]</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>BigBird (window + global + random blocks)</source>
        <extracomment>bigbird: the variant&apos;s title</extracomment>
        <translation>BigBird（窗口 + 全局 + 随机块）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>long inputs that need some long-range mixing without choosing global tokens by hand (QA, genomics)</source>
        <extracomment>bigbird: when to use it</extracomment>
        <translation>需要一定长程混合、又不想手工挑选全局 token 的长输入（问答、基因组学）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>exactness: long-range pairs are sampled, not chosen; a given pair is usually missing</source>
        <extracomment>bigbird: what it gives up</extracomment>
        <translation>精确性：长程配对是随机抽样而非挑选的；某个特定配对通常会缺失</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>tokens per block (the kernel tile)</source>
        <extracomment>bigbird: help of the parameter block</extracomment>
        <translation>每块的 token 数（即内核分块大小）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>sliding blocks around each query block (3: left, self, right; an even count adds the extra on the right)</source>
        <extracomment>bigbird: help of the parameter window_blocks</extracomment>
        <translation>每个查询块周围的滑动块数（3：左、自身、右；偶数时多出的一块放在右侧）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>blocks</source>
        <extracomment>bigbird: unit of the parameter window_blocks (a plural noun)</extracomment>
        <translation>块</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the first g blocks attend and are attended by every block</source>
        <extracomment>bigbird: help of the parameter global_blocks</extracomment>
        <translation>前 g 个块关注所有块，并被所有块关注</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>extra key blocks drawn at random per query block (fewer when fewer are left)</source>
        <extracomment>bigbird: help of the parameter random_blocks</extracomment>
        <translation>每个查询块随机抽取的额外键块数（剩余块不足时会更少）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>seed of the random blocks (each head draws its own)</source>
        <extracomment>bigbird: help of the parameter seed</extracomment>
        <translation>随机块的种子（每个头各自抽取）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Linformer (low-rank projection of keys and values)</source>
        <extracomment>linformer: the variant&apos;s title</extracomment>
        <translation>Linformer（键和值的低秩投影）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>low-rank</source>
        <extracomment>linformer: its family of methods</extracomment>
        <translation>低秩</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>long non-causal inputs whose attention is close to low rank (global, smooth patterns)</source>
        <extracomment>linformer: when to use it</extracomment>
        <translation>注意力接近低秩（全局、平滑的模式）的长非因果输入</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>sharp token-to-token links (rank &lt;= k) and causality; the projections tie it to one length n</source>
        <extracomment>linformer: what it gives up</extracomment>
        <translation>尖锐的 token 间联系（秩 &lt;= k）与因果性；投影把它绑定在单一长度 n 上</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>projected length (rank of the attention map); clamped to n</source>
        <extracomment>linformer: help of the parameter k</extracomment>
        <translation>投影后的长度（注意力图的秩）；不超过 n</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>rows</source>
        <extracomment>linformer: unit of the parameter k (a plural noun)</extracomment>
        <translation>行</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>use the same projection for keys and values (E = F)</source>
        <extracomment>linformer: help of the parameter share_ef</extracomment>
        <translation>键和值使用同一个投影（E = F）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>seeded Gaussian N(0, 1/k) or segment-mean pooling</source>
        <extracomment>linformer: help of the parameter projection</extracomment>
        <translation>带种子的高斯投影 N(0, 1/k)，或分段均值池化</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>seed of the Gaussian projections</source>
        <extracomment>linformer: help of the parameter seed</extracomment>
        <translation>高斯投影的种子</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Performer (FAVOR+ random features)</source>
        <extracomment>performer: the variant&apos;s title</extracomment>
        <translation>Performer（FAVOR+ 随机特征）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>very long inputs, causal or not, where an unbiased approximation of softmax is enough</source>
        <extracomment>performer: when to use it</extracomment>
        <translation>超长输入（因果或非因果），对 softmax 的无偏近似已足够的场合</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>exactness: a random-feature estimate of rank &lt;= m whose error shrinks only like 1/sqrt(m)</source>
        <extracomment>performer: what it gives up</extracomment>
        <translation>精确性：秩 &lt;= m 的随机特征估计，误差只按 1/sqrt(m) 缩小</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>number of random features m (rank of the attention map)</source>
        <extracomment>performer: help of the parameter features</extracomment>
        <translation>随机特征数 m（注意力图的秩）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>features</source>
        <extracomment>performer: unit of the parameter features (a plural noun)</extracomment>
        <translation>特征</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>orthogonalise the features in blocks of d (lower variance)</source>
        <extracomment>performer: help of the parameter orthogonal</extracomment>
        <translation>按 d 个一组对特征正交化（方差更低）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>seed of the random features (a new seed redraws them)</source>
        <extracomment>performer: help of the parameter seed</extracomment>
        <translation>随机特征的种子（换种子即重新抽取）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Transformer-XL (segment recurrence with a cached memory)</source>
        <extracomment>transformer_xl: the variant&apos;s title</extracomment>
        <translation>Transformer-XL（带缓存记忆的段级循环）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>recurrent</source>
        <extracomment>transformer_xl: its family of methods</extracomment>
        <translation>循环</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>streaming or autoregressive inputs where recent context (segment plus cached memory) matters most</source>
        <extracomment>transformer_xl: when to use it</extracomment>
        <translation>流式或自回归输入，最重要的是近期上下文（当前段加缓存的记忆）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>anything further back than L + M positions; causal only</source>
        <extracomment>transformer_xl: what it gives up</extracomment>
        <translation>超过 L + M 个位置之前的一切；仅支持因果</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>segment length L</source>
        <extracomment>transformer_xl: help of the parameter segment</extracomment>
        <translation>段长度 L</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>cached positions M before each segment</source>
        <extracomment>transformer_xl: help of the parameter memory</extracomment>
        <translation>每段之前缓存的位置数 M</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>add relative-position scores (false: plain causal attention over [memory; segment])</source>
        <extracomment>transformer_xl: help of the parameter relative</extracomment>
        <translation>加入相对位置得分（false：在 [记忆; 段] 上做普通因果注意力）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Memory slots (segment recurrence through a gated slot memory)</source>
        <extracomment>memory_slots: the variant&apos;s title</extracomment>
        <translation>记忆槽（通过门控记忆槽的段级循环）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>streams far longer than any window, where a compressed summary of the past is enough</source>
        <extracomment>memory_slots: when to use it</extracomment>
        <translation>远长于任何窗口的数据流，过去内容的压缩摘要已足够的场合</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>detail: everything before the segment passes through S slots, written by soft attention and decayed by the gate</source>
        <extracomment>memory_slots: what it gives up</extracomment>
        <translation>细节：当前段之前的一切都要经过 S 个记忆槽，由软注意力写入并被门控衰减</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>number of memory slots S</source>
        <extracomment>memory_slots: help of the parameter slots</extracomment>
        <translation>记忆槽数 S</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>slots</source>
        <extracomment>memory_slots: unit of the parameter slots (a plural noun)</extracomment>
        <translation>槽</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>share of the old slot contents kept at each write</source>
        <extracomment>memory_slots: help of the parameter gate</extracomment>
        <translation>每次写入时保留的旧槽内容比例</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Hierarchical (own block + block summaries)</source>
        <extracomment>hierarchical: the variant&apos;s title</extracomment>
        <translation>层次式（自身块 + 块摘要）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>hierarchical</source>
        <extracomment>hierarchical: its family of methods</extracomment>
        <translation>层次</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>every token needs a coarse view of the whole sequence and exact detail nearby; b ~ sqrt(n) balances the two</source>
        <extracomment>hierarchical: when to use it</extracomment>
        <translation>每个 token 都需要对整个序列的粗略视图和附近的精确细节；b ~ sqrt(n) 可在两者间取得平衡</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>detail far away: a distant block is seen only through its mean key and mean value</source>
        <extracomment>hierarchical: what it gives up</extracomment>
        <translation>远处的细节：远处的块只能通过其平均键和平均值被看到</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>tokens per block: exact attention inside it, one summary per other block</source>
        <extracomment>hierarchical: help of the parameter block</extracomment>
        <translation>每块的 token 数：块内为精确注意力，其他每个块各一个摘要</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Top-k dynamic blocks</source>
        <extracomment>topk_dynamic: the variant&apos;s title</extracomment>
        <translation>Top-k 动态块</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>dynamic</source>
        <extracomment>topk_dynamic: its family of methods</extracomment>
        <translation>动态</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>long inputs whose far dependencies are content-driven and clustered (retrieval, repeats, citations)</source>
        <extracomment>topk_dynamic: when to use it</extracomment>
        <translation>远程依赖由内容决定且成簇出现的长输入（检索、重复、引用）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>blocks whose mean score is low but that hold a few strong keys; the choice is a block-mean estimate</source>
        <extracomment>topk_dynamic: what it gives up</extracomment>
        <translation>平均得分低但含少数强键的块；块的选择基于块均值估计</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>key blocks kept per query block by estimated score, beyond the local ones (clamped to what is left)</source>
        <extracomment>topk_dynamic: help of the parameter topk</extracomment>
        <translation>在局部块之外，每个查询块按估计得分保留的键块数（不超过剩余块数）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>blocks around the diagonal always kept (1: the query&apos;s own block)</source>
        <extracomment>topk_dynamic: help of the parameter local_blocks</extracomment>
        <translation>对角线附近始终保留的块数（1：查询自身所在块）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>a long agreement whose later sections cite clauses defined far earlier</source>
        <extracomment>description of the built-in sample document</extracomment>
        <translation>一份长协议，后面的条款引用很早之前定义的条文</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>DNA (6-mer tokens) with enhancer motifs thousands of bases before the promoters they pair with</source>
        <extracomment>description of the built-in sample dna</extracomment>
        <translation>带增强子基序的 DNA（6-mer token），增强子位于与之配对的启动子之前数千个碱基处</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>an hourly sensor log with a daily cycle and a shock that echoes months later</source>
        <extracomment>description of the built-in sample timeseries</extracomment>
        <translation>每小时记录的传感器日志，带有日周期，以及一次在数月后才回响的冲击</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>  --variant ID         variant to run (see info; default dense)
  --sample NAME        built-in sample (default: document)
  --input FILE         a sequence file (text, FASTA, CSV/TSV, .npy, .safetensors)
  --qkv FILE.npy       float32 [3, H, n, d] q, k, v
  --n N                length: a sample&apos;s length (default 1024); crops a file (default: the whole file)
  --heads H --d D      heads and head width for featurized inputs (default 4, 64; up to 256 and 1024)
  --positions P        none | sinusoidal | rope (default sinusoidal)
  --untied             separate Q and K projections
  --seed S             featurizer and sample seed (default 1)
  --causal             causal attention
  --param NAME=VALUE   a variant parameter (repeatable)
  --backend NAME       cpu (default) or cuda
  --precision P        fp32 (default), bf16 or fp16; bf16 on the cpu runs mask-based variants on AVX512-BF16
  --repeats R          timed repeats after the warm-up (default 5)
  --warmup W           untimed runs first (default 1)
  --memory-budget B    bytes a run may use (suffixes K, M, G); default 80% of free memory
</source>
        <extracomment>the run flags in attnscope --help: keep each flag and its column, translate the descriptions</extracomment>
        <translation>  --variant ID         要运行的变体（见 info；默认 dense）
  --sample NAME        内置样例（默认：document）
  --input FILE         序列文件（文本、FASTA、CSV/TSV、.npy、.safetensors）
  --qkv FILE.npy       float32 [3, H, n, d] 的 q、k、v
  --n N                长度：样例的长度（默认 1024）；截取文件（默认：整个文件）
  --heads H --d D      特征化输入的头数和头维度（默认 4、64；最多 256 和 1024）
  --positions P        none | sinusoidal | rope（默认 sinusoidal）
  --untied             Q 和 K 使用各自的投影
  --seed S             特征化器和样例的随机种子（默认 1）
  --causal             因果注意力
  --param NAME=VALUE   变体参数（可重复）
  --backend NAME       cpu（默认）或 cuda
  --precision P        fp32（默认）、bf16 或 fp16；bf16 在 CPU 上用 AVX512-BF16 运行基于掩码的变体
  --repeats R          预热之后计时的重复次数（默认 5）
  --warmup W           先运行、不计时的次数（默认 1）
  --memory-budget B    一次运行可用的字节数（后缀 K、M、G）；默认为空闲内存的 80%
</translation>
    </message>
</context>
</TS>
